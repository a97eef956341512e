// APIs of a service (apimapis.json 2024-05-01). A PUT with `format` + `value` imports an OpenAPI document and answers
// with the spec's async pattern (ApiManagementCreateApiUsingOai3Import: 201/200, Location …/apis/{id}?…&asyncId=…
// &asyncCode=201, Azure-AsyncOperation …/service/{svc}/tenant/operationResults/{id}, body provisioningState
// "InProgress"); a PUT without them is synchronous. Import derives the operations (openapi-import.ts) and keeps the
// document text (doc.extra.apimSpecs, never returned) for the gateway. Api_Delete answers 204 (spec: 202/204).
import type { LocalAzureContext } from '../../../context.ts';
import { ArmError } from '../../../http/arm-error.ts';
import type { RequestContext } from '../../../http/router.ts';
import type { StoredResource } from '../../../state/store.ts';
import { keyOf } from '../../../state/store.ts';
import { asyncOperationReply } from '../../lro.ts';
import { SERVICE_TEMPLATE, T, childrenOf, defineEntity, etagHeader, fieldError, nextEtag, removeTree, route, serviceId, serviceIdOf, validationErrors } from './common.ts';
import {
  IMPORT_FORMATS,
  INLINE_LIMIT_BYTES,
  ImportError,
  LINK_FORMATS,
  checkUnique,
  deriveOperations,
  parseSpec,
  planReimport,
  type DerivedOperation,
  type ParsedSpec,
} from './openapi-import.ts';
import { registerOperations } from './operations.ts';

export const API_TEMPLATE = `${SERVICE_TEMPLATE}/apis/{apiId}`;
const API_ID_RE = /^[^*#&+:<>?]+$/;

export interface ImportedSpec {
  format: string;
  value: string;
  importedAt: string;
}

/** The document an API was last imported from (for the gateway's routing and validation). */
export function importedSpec(env: LocalAzureContext, apiResourceId: string): ImportedSpec | undefined {
  return env.store.doc.extra.apimSpecs?.[keyOf(apiResourceId)];
}

const clean = <O extends Record<string, unknown>>(o: O): O => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as O;

/** The API as GET returns it: provisioningState only appears in the import reply. */
export function apiView(_env: LocalAzureContext, r: StoredResource): Record<string, any> {
  const { provisioningState: _p, ...properties } = r.body.properties ?? {};
  return { ...r.body, properties };
}

export function registerApis(env: LocalAzureContext): void {
  defineEntity(env, {
    type: T.api,
    template: API_TEMPLATE,
    entity: 'Api',
    specOperation: 'Api_CreateOrUpdate',
    nameRule: (n) => (n.length > 256 || !API_ID_RE.test(n) ? `API identifier '${n}' is invalid: 1-256 characters, none of * # & + : < > ?.` : undefined),
    build: (ctx, existing, body, id) => buildApi(env, ctx, existing, body, id),
    view: apiView,
    putReply: (ctx, stored, created) => {
      const status = created ? 201 : 200;
      const p = (ctx.body as any)?.properties ?? {};
      if (!p.format) return { status, body: apiView(env, stored), headers: etagHeader(stored) };
      const op = env.lro.start(ctx, stored, 'provision');
      const view = apiView(env, stored);
      return {
        status,
        body: { ...view, properties: { ...view.properties, provisioningState: 'InProgress' } },
        headers: {
          ...etagHeader(stored),
          Location: `${env.baseUrl}${stored.id}?api-version=${ctx.apiVersion}&asyncId=${op.id}&asyncCode=${status}`,
          'Azure-AsyncOperation': `${env.baseUrl}${serviceIdOf(stored.id)}/tenant/operationResults/${op.id}?api-version=${ctx.apiVersion}`,
        },
      };
    },
    deleteStatuses: [204, 204],
    beforeDelete: (_ctx, api) => dropApiLinks(env, api),
    patch: (_ctx, existing, body) => {
      const p = body?.properties ?? {};
      const props = { ...existing.body.properties };
      for (const k of ['displayName', 'description', 'serviceUrl', 'path', 'protocols', 'subscriptionRequired', 'subscriptionKeyParameterNames',
        'authenticationSettings', 'termsOfServiceUrl', 'contact', 'license', 'apiVersion', 'apiVersionDescription', 'apiRevisionDescription', 'apiVersionSetId']) {
        if (p[k] !== undefined) props[k] = p[k];
      }
      if (p.path !== undefined) checkPath(env, existing.id, String(p.path), props.apiVersionSetId);
      return { body: { properties: props } };
    },
  });

  // Azure-AsyncOperation target of imports and named values (…/service/{svc}/tenant/operationResults/{id}).
  route(env, 'GET', `${SERVICE_TEMPLATE}/tenant/operationResults/{operationId}`, T.api, (ctx) => {
    const op = env.lro.get(ctx.params.operationId);
    const svc = serviceId(env, ctx.params);
    if (!op || !op.resourceKey.startsWith(keyOf(svc) + '/')) throw new ArmError(404, 'ResourceNotFound', `The operation '${ctx.params.operationId}' was not found.`);
    return asyncOperationReply(env, op, op.resourceKey.includes('/namedvalues/') ? T.namedValue : T.api);
  });

  registerOperations(env);
}

function buildApi(env: LocalAzureContext, ctx: RequestContext, existing: StoredResource | undefined, body: any, id: string) {
  const p = body.properties ?? {};
  const old = existing?.body.properties ?? {};
  if (typeof p.path !== 'string') throw fieldError('path', 'Path is required.');
  if (p.path.length > 400) throw fieldError('path', 'Path must not exceed 400 characters.');
  let spec: ParsedSpec | undefined;
  let derived: DerivedOperation[] | undefined;
  if (p.format !== undefined || p.value !== undefined) {
    ({ spec, derived } = importDocument(p));
  }
  const displayName = p.displayName ?? spec?.title ?? old.displayName;
  if (typeof displayName !== 'string' || !displayName.length) throw fieldError('displayName', 'Display name is required.');
  if (displayName.length > 300) throw fieldError('displayName', 'Display name must be 1 to 300 characters long.');
  if (p.serviceUrl !== undefined && p.serviceUrl !== null && !/^(https?|wss?):\/\/[^\s]+$/i.test(String(p.serviceUrl))) {
    throw fieldError('serviceUrl', `'${p.serviceUrl}' is not a valid absolute URL.`);
  }
  checkPath(env, id, p.path, p.apiVersionSetId);
  if (derived) applyImport(env, id, derived, p);
  const properties = clean({
    displayName,
    apiRevision: p.apiRevision ?? old.apiRevision ?? '1',
    description: p.description ?? spec?.description ?? (spec ? old.description : undefined),
    subscriptionRequired: p.subscriptionRequired ?? (spec ? old.subscriptionRequired : undefined) ?? true,
    serviceUrl: p.serviceUrl ?? spec?.serviceUrl ?? (spec ? old.serviceUrl : undefined),
    path: p.path,
    protocols: p.protocols ?? ['https'],
    authenticationSettings: p.authenticationSettings ?? { oAuth2AuthenticationSettings: [], openidAuthenticationSettings: [] },
    subscriptionKeyParameterNames: p.subscriptionKeyParameterNames ?? { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' },
    type: p.apiType ?? p.type,
    isCurrent: true,
    apiVersion: p.apiVersion,
    apiVersionDescription: p.apiVersionDescription,
    apiRevisionDescription: p.apiRevisionDescription,
    apiVersionSetId: p.apiVersionSetId,
    termsOfServiceUrl: p.termsOfServiceUrl ?? spec?.termsOfServiceUrl,
    contact: p.contact ?? spec?.contact,
    license: p.license ?? spec?.license,
  });
  void ctx;
  return { body: { properties } };
}

/** Parses and derives an inline import, mapping every failure to APIM's ValidationError. */
function importDocument(p: any): { spec: ParsedSpec; derived: DerivedOperation[] } {
  const format = String(p.format ?? '');
  if (LINK_FORMATS.includes(format)) {
    throw fieldError('value', `Unable to download the document from '${p.value}': the local Azure has no internet access. Import the document inline (format 'openapi', 'openapi+json' or 'swagger-json').`);
  }
  if (!(IMPORT_FORMATS as readonly string[]).includes(format)) {
    throw fieldError('format', `Import format '${format}' is not supported by the local Azure; use 'openapi', 'openapi+json' or 'swagger-json'.`);
  }
  if (typeof p.value !== 'string') throw fieldError('value', 'Value is required for import.');
  if (Buffer.byteLength(p.value) > INLINE_LIMIT_BYTES) {
    throw fieldError('value', 'The inline document exceeds the 4 MB limit of API Management imports; import it from a URL instead.');
  }
  try {
    const spec = parseSpec(format, p.value);
    const derived = deriveOperations(spec, { translateRequiredQueryParameters: p.translateRequiredQueryParameters });
    checkUnique(derived);
    return { spec, derived };
  } catch (e) {
    if (e instanceof ImportError) throw validationErrors(e.details);
    throw e;
  }
}

/** Writes the re-import plan: matched operations updated in place, new ones created, unmatched ones deleted. */
function applyImport(env: LocalAzureContext, apiId: string, derived: DerivedOperation[], p: any): void {
  const existing = childrenOf(env, apiId, T.operation);
  let plan;
  try {
    plan = planReimport(existing.map((r) => ({ name: r.body.name, method: r.body.properties.method, urlTemplate: r.body.properties.urlTemplate })), derived);
  } catch (e) {
    if (e instanceof ImportError) throw validationErrors(e.details);
    throw e;
  }
  const byName = new Map(existing.map((r) => [String(r.body.name).toLowerCase(), r]));
  // A new operation takes the policy of a deleted one with the same method and URL template.
  const key = (method: string, template: string) => `${method.toUpperCase()} ${template.toLowerCase()}`;
  const orphanPolicies = new Map<string, StoredResource>();
  for (const name of plan.remove) {
    const old = byName.get(name.toLowerCase())!;
    const policy = env.store.get(`${old.id}/policies/policy`);
    if (policy) orphanPolicies.set(key(old.body.properties.method, old.body.properties.urlTemplate), policy);
    removeTree(env, old.id);
  }
  const now = new Date().toISOString();
  for (const d of [...plan.update, ...plan.create]) {
    const prior = byName.get(d.name.toLowerCase());
    const id = prior?.id ?? `${apiId}/operations/${d.name}`;
    env.store.put({
      id,
      type: T.operation,
      body: { id, type: T.operation, name: prior?.body.name ?? d.name, properties: operationProperties(d) },
      secrets: { etag: nextEtag(env) },
      createdAt: prior?.createdAt ?? now,
      updatedAt: now,
    });
    const inherited = prior ? undefined : orphanPolicies.get(key(d.method, d.urlTemplate));
    if (inherited) {
      const pid = `${id}/policies/policy`;
      env.store.put({ ...structuredClone(inherited), id: pid, body: { ...structuredClone(inherited.body), id: pid }, updatedAt: now });
    }
  }
  (env.store.doc.extra.apimSpecs ??= {})[keyOf(apiId)] = { format: p.format, value: p.value, importedAt: now } satisfies ImportedSpec;
  env.store.markDirty();
}

function operationProperties(d: DerivedOperation): Record<string, unknown> {
  return clean({
    displayName: d.displayName,
    method: d.method,
    urlTemplate: d.urlTemplate,
    templateParameters: d.templateParameters,
    description: d.description,
    request: clean({ ...d.request }),
    responses: d.responses.map((r) => clean({ ...r })),
    policies: null,
  });
}

/** An API's path is unique in its service (outside a shared version set). */
function checkPath(env: LocalAzureContext, apiId: string, path: string, versionSetId: unknown): void {
  const norm = (s: string) => s.replace(/^\/+|\/+$/g, '').toLowerCase();
  const clash = childrenOf(env, serviceIdOf(apiId), T.api).find(
    (r) => keyOf(r.id) !== keyOf(apiId) && norm(String(r.body.properties.path)) === norm(path) && !(versionSetId && r.body.properties.apiVersionSetId === versionSetId),
  );
  if (clash) {
    throw fieldError('path', `Cannot create API '${apiId.split('/').pop()}' with the same Path '${path}' as API '${clash.body.name}' unless it's a part of the same version set.`);
  }
}

/** Deleting an API takes it out of its products and ends the subscriptions scoped to it. */
function dropApiLinks(env: LocalAzureContext, api: StoredResource): void {
  const svc = serviceIdOf(api.id);
  const apiName = String(api.body.name).toLowerCase();
  for (const link of env.store.list(T.productApi, svc)) if (link.id.split('/').pop()!.toLowerCase() === apiName) env.store.delete(link.id);
  for (const sub of env.store.list(T.subscription, svc)) if (keyOf(String(sub.body.properties.scope)) === keyOf(api.id)) env.store.delete(sub.id);
  delete env.store.doc.extra.apimSpecs?.[keyOf(api.id)];
  env.store.markDirty();
}
