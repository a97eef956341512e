// Named values (apimnamedvalues.json 2024-05-01). PUT answers with the spec's async pattern
// (ApiManagementCreateNamedValue: 201/200, Location …/namedValues/{id}?…&asyncId=…&asyncCode=201, Azure-AsyncOperation
// …/tenant/operationResults/{id}, provisioningState "InProgress"). Secret values live in the store's secrets and are
// never in GET/list bodies; POST listValue returns them. Display names are unique in a service ("Property with the
// same name already exist.", as APIM words it).
import type { LocalAzureContext } from '../../../context.ts';
import type { RequestContext } from '../../../http/router.ts';
import type { StoredResource } from '../../../state/store.ts';
import { keyOf } from '../../../state/store.ts';
import { SERVICE_TEMPLATE, T, childrenOf, defineEntity, entityNotFound, etagHeader, fieldError, lookup, route, serviceIdOf, type EntityDef } from './common.ts';

const TEMPLATE = `${SERVICE_TEMPLATE}/namedValues/{namedValueId}`;
const ID_RE = /^[^*#&+:<>?]+$/;
const DISPLAY_RE = /^[A-Za-z0-9-._]+$/;

function view(_env: LocalAzureContext, r: StoredResource): Record<string, any> {
  const { provisioningState: _p, ...properties } = r.body.properties;
  return { ...r.body, properties };
}

function build(env: LocalAzureContext, existing: StoredResource | undefined, p: any, id: string) {
  const displayName = p.displayName ?? existing?.body.properties.displayName;
  if (typeof displayName !== 'string' || !displayName) throw fieldError('displayName', 'Display name is required.');
  if (displayName.length > 256 || !DISPLAY_RE.test(displayName)) {
    throw fieldError('displayName', 'Named value display name may contain only letters, digits, period, dash, and underscore characters (1 to 256).');
  }
  const clash = childrenOf(env, serviceIdOf(id), T.namedValue).find(
    (r) => keyOf(r.id) !== keyOf(id) && String(r.body.properties.displayName).toLowerCase() === displayName.toLowerCase(),
  );
  if (clash) throw fieldError('name', 'Property with the same name already exist.');
  if (p.keyVault) throw fieldError('keyVault', 'Key Vault named values are not supported by the local Azure: it has no Key Vault to read the secret from.');
  const secret = p.secret ?? existing?.body.properties.secret ?? false;
  const value = p.value ?? (existing ? (existing.body.properties.secret ? existing.secrets?.value : existing.body.properties.value) : undefined);
  if (typeof value !== 'string' || !value.trim()) throw fieldError('value', 'Value may not be empty or consist only of whitespace.');
  if (value.length > 4096) throw fieldError('value', 'Value must not exceed 4096 characters.');
  if (p.tags !== undefined && (!Array.isArray(p.tags) || p.tags.length > 32)) throw fieldError('tags', 'Tags must be a list of at most 32 strings.');
  const properties: Record<string, unknown> = { displayName, tags: p.tags ?? existing?.body.properties.tags ?? [], secret: secret === true };
  if (secret !== true) properties.value = value;
  return { body: { properties }, secrets: secret === true ? { value } : {} };
}

export function registerNamedValues(env: LocalAzureContext): void {
  const asyncReply = (ctx: RequestContext, stored: StoredResource, status: number) => {
    const op = env.lro.start(ctx, stored, 'provision');
    const v = view(env, stored);
    return {
      status,
      body: { ...v, properties: { ...v.properties, provisioningState: 'InProgress' } },
      headers: {
        ...etagHeader(stored),
        Location: `${env.baseUrl}${stored.id}?api-version=${ctx.apiVersion}&asyncId=${op.id}&asyncCode=${status}`,
        'Azure-AsyncOperation': `${env.baseUrl}${serviceIdOf(stored.id)}/tenant/operationResults/${op.id}?api-version=${ctx.apiVersion}`,
      },
    };
  };
  const def: EntityDef = {
    type: T.namedValue,
    template: TEMPLATE,
    entity: 'NamedValue',
    specOperation: 'NamedValue_CreateOrUpdate',
    nameRule: (n) => (n.length > 256 || !ID_RE.test(n) ? `Named value identifier '${n}' is invalid.` : undefined),
    build: (_ctx, existing, body, id) => build(env, existing, body?.properties ?? {}, id),
    view,
    putReply: (ctx, stored, created) => asyncReply(ctx, stored, created ? 201 : 200),
    patch: (_ctx, existing, body) => build(env, existing, { ...body?.properties }, existing.id),
  };
  defineEntity(env, def);

  route(env, 'POST', `${TEMPLATE}/listValue`, T.namedValue, (ctx) => {
    const { existing } = lookup(env, def, ctx);
    if (!existing) throw entityNotFound('NamedValue');
    const p = existing.body.properties;
    return { status: 200, body: { value: p.secret ? existing.secrets?.value : p.value }, headers: etagHeader(existing) };
  }, true);
}
