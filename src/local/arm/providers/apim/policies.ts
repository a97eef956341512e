// Policy documents at service, API, operation and product scope (Policy_*, ApiPolicy_*, ApiOperationPolicy_*,
// ProductPolicy_* in 2024-05-01:
// PUT 201/200, DELETE 200/204, GET with ?format=xml|rawxml, default xml). The document must be well-formed with a
// root <policies>, and every {{name}} must be a named value's display name; failures are APIM's ValidationError
// with the parser's message ("… Line 4, position 86.", target "representation") or "Error in element '…' on line
// L, column C: Cannot find a property '…'". The raw text is stored as given; which elements are allowed is the
// gateway's business, so the gateway's validatePolicyXml runs last: it rejects (400 ValidationError naming the
// element) every element, attribute and expression the local gateway does not emulate, so a stored policy is never
// silently half-applied.
import type { LocalAzureContext } from '../../../context.ts';
import type { RequestContext } from '../../../http/router.ts';
import type { StoredResource } from '../../../state/store.ts';
import { ArmError } from '../../../http/arm-error.ts';
import { validatePolicyXml } from '../../../gateway/policies.ts';
import type { Scope } from '../../../gateway/policy-xml.ts';
import { SERVICE_TEMPLATE, T, childrenOf, defineEntity, etagHeader, fieldError, serviceIdOf, validationErrors } from './common.ts';
import { namedValuesOf } from './gateway-config.ts';
import { PolicyXmlError, namedValueRefs, parsePolicyXml, serializePolicy, type PolicyFormat } from './policy-xml.ts';

const SCOPES: Array<{ type: string; scope: Scope; parent?: { template: string; entity: string }; template: string; spec: string }> = [
  { type: T.servicePolicy, scope: 'global', parent: undefined, template: `${SERVICE_TEMPLATE}/policies/{policyId}`, spec: 'Policy_CreateOrUpdate' },
  {
    type: T.apiPolicy,
    scope: 'api',
    parent: { template: `${SERVICE_TEMPLATE}/apis/{apiId}`, entity: 'Api' },
    template: `${SERVICE_TEMPLATE}/apis/{apiId}/policies/{policyId}`,
    spec: 'ApiPolicy_CreateOrUpdate',
  },
  {
    type: T.operationPolicy,
    scope: 'operation',
    parent: { template: `${SERVICE_TEMPLATE}/apis/{apiId}/operations/{operationId}`, entity: 'Operation' },
    template: `${SERVICE_TEMPLATE}/apis/{apiId}/operations/{operationId}/policies/{policyId}`,
    spec: 'ApiOperationPolicy_CreateOrUpdate',
  },
  {
    type: T.productPolicy,
    scope: 'product',
    parent: { template: `${SERVICE_TEMPLATE}/products/{productId}`, entity: 'Product' },
    template: `${SERVICE_TEMPLATE}/products/{productId}/policies/{policyId}`,
    spec: 'ProductPolicy_CreateOrUpdate',
  },
];

const formatOf = (ctx: RequestContext | undefined): PolicyFormat => (ctx?.query.get('format')?.toLowerCase() === 'rawxml' ? 'rawxml' : 'xml');

/** The stored (raw) document in the requested format. */
function policyView(r: StoredResource, format: PolicyFormat): Record<string, any> {
  const raw = String(r.body.properties.value);
  const value = format === 'rawxml' ? raw : serializePolicy(parsePolicyXml(raw, 'rawxml'), 'xml');
  return { ...r.body, properties: { format, value } };
}

export function registerPolicies(env: LocalAzureContext): void {
  for (const scope of SCOPES) {
    defineEntity(env, {
      type: scope.type,
      template: scope.template,
      entity: 'Policy',
      parent: scope.parent,
      specOperation: scope.spec,
      nameRule: (n) => (n !== 'policy' ? `Policy identifier must be 'policy', not '${n}'.` : undefined),
      build: (_ctx, _existing, body, id) => ({ body: { properties: { format: 'rawxml', value: toRaw(env, id, body?.properties ?? {}, scope.scope) } } }),
      view: (_env, r, ctx) => policyView(r, formatOf(ctx)),
      putReply: (ctx, stored, created) => {
        const given = String((ctx.body as any)?.properties?.format ?? 'xml').toLowerCase();
        return { status: created ? 201 : 200, body: policyView(stored, given === 'rawxml' ? 'rawxml' : 'xml'), headers: etagHeader(stored) };
      },
    });
  }
}

/** Validates a PUT's document and returns its raw form (expressions verbatim). */
function toRaw(env: LocalAzureContext, id: string, p: any, scope: Scope): string {
  const format = String(p.format ?? 'xml').toLowerCase();
  if (format === 'xml-link' || format === 'rawxml-link') {
    throw fieldError('value', `Unable to download the policy from '${p.value}': the local Azure has no internet access. Send the policy inline (format 'xml' or 'rawxml').`);
  }
  if (format !== 'xml' && format !== 'rawxml') throw fieldError('format', `Policy format '${p.format}' is not supported.`);
  if (typeof p.value !== 'string' || !p.value.trim()) throw fieldError('value', 'Policy value is required.');
  let doc;
  try {
    doc = parsePolicyXml(p.value, format);
  } catch (e) {
    if (e instanceof PolicyXmlError) throw fieldError('representation', e.message);
    throw e;
  }
  if (doc.root.name !== 'policies') {
    throw fieldError('representation', `Error in element '${doc.root.name}' on line ${doc.root.line}, column ${doc.root.col}: the root element of a policy document must be 'policies'.`);
  }
  const known = new Set(childrenOf(env, serviceIdOf(id), T.namedValue).map((nv) => String(nv.body.properties.displayName).toLowerCase()));
  const missing = namedValueRefs(doc.root).filter((r) => !known.has(r.name.toLowerCase()));
  if (missing.length) {
    throw validationErrors(
      missing.map((m) => ({ target: m.element, message: `Error in element '${m.element}' on line ${m.line}, column ${m.col}: Cannot find a property '${m.name}'` })),
    );
  }
  const svc = env.store.get(serviceIdOf(id));
  const problem = validatePolicyXml(p.value, namedValuesOf(env, serviceIdOf(id)), { format, scope, sku: svc?.body.sku?.name });
  if (problem) throw new ArmError(400, problem.code, problem.message, problem.details ? { details: problem.details } : {});
  return format === 'rawxml' ? p.value : serializePolicy(doc, 'rawxml');
}
