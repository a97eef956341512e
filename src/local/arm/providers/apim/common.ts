// Shared mechanics of the Microsoft.ApiManagement provider: constants, APIM-style errors (ValidationError with
// details, "<Entity> not found."), entity tags, If-Match, and `defineEntity` for the service's child entities
// (apis, named values, backends, products, subscriptions, policies), which answer as the APIM RP does rather than
// as generic ARM nested resources.
import { randomBytes } from 'node:crypto';
import type { LocalAzureContext } from '../../../context.ts';
import { ArmError } from '../../../http/arm-error.ts';
import type { Handler, Method, Reply, RequestContext } from '../../../http/router.ts';
import type { StoredResource } from '../../../state/store.ts';
import { bodyInvalid, checkResourceGroup, fillTemplate } from '../../resource-kit.ts';
import { validateRequestBody } from '../../spec/validate.ts';
import { bumpConfigVersion } from './config-version.ts';

/** What @azure/arm-apimanagement 10.0.0 sends (apiManagementClient.js: `options.apiVersion || "2024-05-01"`). */
export const APIM_API_VERSIONS = ['2024-05-01'] as const;
export const SERVICE_TYPE = 'Microsoft.ApiManagement/service';
export const SERVICE_TEMPLATE =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ApiManagement/service/{serviceName}';
export const T = {
  api: 'Microsoft.ApiManagement/service/apis',
  operation: 'Microsoft.ApiManagement/service/apis/operations',
  operationPolicy: 'Microsoft.ApiManagement/service/apis/operations/policies',
  apiPolicy: 'Microsoft.ApiManagement/service/apis/policies',
  servicePolicy: 'Microsoft.ApiManagement/service/policies',
  productPolicy: 'Microsoft.ApiManagement/service/products/policies',
  namedValue: 'Microsoft.ApiManagement/service/namedValues',
  backend: 'Microsoft.ApiManagement/service/backends',
  product: 'Microsoft.ApiManagement/service/products',
  productApi: 'Microsoft.ApiManagement/service/products/apis',
  subscription: 'Microsoft.ApiManagement/service/subscriptions',
} as const;
/** Every type nested in a service: snapshotted on soft delete, brought back by restore. */
export const CHILD_TYPES: readonly string[] = Object.values(T);

export function route(env: LocalAzureContext, method: Method, template: string, resourceType: string, handler: Handler, readOnly = false): void {
  env.router.add({ method, template, apiVersions: APIM_API_VERSIONS, resourceType, handler: readOnly || method === 'GET' || method === 'HEAD' ? handler : tracked(env, handler), readOnly });
}

/** A writing handler that tells the gateway's config cache its service changed (config-version.ts). */
function tracked(env: LocalAzureContext, handler: Handler): Handler {
  return (ctx) => {
    let reply: ReturnType<Handler>;
    try {
      reply = handler(ctx);
    } catch (e) {
      bumpConfigVersion(env, ctx.path);
      throw e;
    }
    if (reply instanceof Promise) return reply.finally(() => bumpConfigVersion(env, ctx.path));
    bumpConfigVersion(env, ctx.path);
    return reply;
  };
}

/** The service id a child id lives in: `/subscriptions/.../service/{name}`. */
export function serviceIdOf(id: string): string {
  const m = /^(.*?\/providers\/Microsoft\.ApiManagement\/service\/[^/]+)/i.exec(id);
  return m ? m[1] : id;
}

export const serviceId = (env: LocalAzureContext, params: Record<string, string>): string =>
  fillTemplate(SERVICE_TEMPLATE, { ...params, subscriptionId: env.subscriptionId });

/** The service a request addresses, or ARM's 404 for it (resource group first, as ARM checks it first). */
export function requireService(env: LocalAzureContext, ctx: RequestContext): StoredResource {
  checkResourceGroup(env, ctx.params);
  const svc = env.store.get(serviceId(env, ctx.params));
  if (!svc) {
    throw new ArmError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.ApiManagement/service/${ctx.params.serviceName}' under resource group '${ctx.params.resourceGroupName}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  }
  return svc;
}

/** APIM's 400: `ValidationError` "One or more fields contain incorrect values:" with one detail per field. */
export function fieldError(target: string, message: string): ArmError {
  return new ArmError(400, 'ValidationError', 'One or more fields contain incorrect values:', {
    details: [{ code: 'ValidationError', target, message }],
  });
}

export function validationErrors(details: Array<{ target: string; message: string }>): ArmError {
  return new ArmError(400, 'ValidationError', 'One or more fields contain incorrect values:', {
    details: details.map((d) => ({ code: 'ValidationError', target: d.target, message: d.message })),
  });
}

/** APIM's 404 for a missing child entity, e.g. "Api not found.", "NamedValue not found.". */
export const entityNotFound = (entity: string): ArmError => new ArmError(404, 'ResourceNotFound', `${entity} not found.`);

/** Entity tags look like APIM's: base64 of a 64-bit version counter ("AAAAAAAAAAE="). */
export function nextEtag(env: LocalAzureContext): string {
  const extra = env.store.doc.extra;
  const seq = (extra.apimEtagSeq = (Number(extra.apimEtagSeq) || 0) + 1);
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(seq) + 0x10000n);
  env.store.markDirty();
  return buf.toString('base64');
}

export const etagOf = (r: StoredResource): string => r.secrets?.etag ?? '';
export const etagHeader = (r: StoredResource): Record<string, string> => (etagOf(r) ? { ETag: `"${etagOf(r)}"` } : {});

/** If-Match: `*` or the current tag passes; a stale tag is 412 as APIM answers it. */
export function checkIfMatch(ctx: RequestContext, existing: StoredResource | undefined): void {
  const raw = ctx.headers['if-match'];
  const given = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!given || given === '*' || !existing) return;
  if (given.replace(/^W\//, '').replace(/^"|"$/g, '') !== etagOf(existing)) {
    throw new ArmError(412, 'PreconditionFailed', 'The specified precondition is not valid: the entity tag does not match the current state of the entity.');
  }
}

/** 32 hex characters, like the keys APIM generates for subscriptions. */
export const newKey = (): string => randomBytes(16).toString('hex');

/** APIM-style name id (24 hex characters) for entities the service creates itself. */
export const newEntityId = (): string => randomBytes(12).toString('hex');

/** Deletes a resource and everything below it without firing delete hooks (used for child entity deletes). */
export function removeTree(env: LocalAzureContext, id: string): void {
  for (const r of env.store.descendants(id)) env.store.delete(r.id);
  env.store.delete(id);
}

/** Resources of a type directly below a parent id. */
export function childrenOf(env: LocalAzureContext, parentId: string, type: string): StoredResource[] {
  const depth = parentId.replace(/\/+$/, '').split('/').length + 2;
  return env.store.list(type, parentId).filter((r) => r.id.split('/').length === depth);
}

export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * OData `$filter` as far as scripts use it: `a eq 'x'`, `contains(a,'x')`, `startswith(a,'x')`, joined with `and`;
 * `a` is `name` or a property (`properties/displayName` or `displayName`). Anything else is ignored.
 */
export function applyFilter<T extends Record<string, any>>(items: T[], filter: string | null): T[] {
  if (!filter?.trim()) return items;
  const clauses = filter.split(/\s+and\s+/i).map((c) => c.trim());
  const tests: Array<(item: T) => boolean> = [];
  for (const c of clauses) {
    let m = /^([\w/]+)\s+eq\s+'((?:[^']|'')*)'$/i.exec(c);
    if (m) {
      const [path, v] = [m[1], m[2].replace(/''/g, "'")];
      tests.push((i) => String(pick(i, path) ?? '').toLowerCase() === v.toLowerCase());
      continue;
    }
    m = /^(contains|startswith)\(\s*([\w/]+)\s*,\s*'((?:[^']|'')*)'\s*\)$/i.exec(c);
    if (m) {
      const [fn, path, v] = [m[1].toLowerCase(), m[2], m[3].replace(/''/g, "'").toLowerCase()];
      tests.push((i) => {
        const s = String(pick(i, path) ?? '').toLowerCase();
        return fn === 'contains' ? s.includes(v) : s.startsWith(v);
      });
    }
  }
  return items.filter((i) => tests.every((t) => t(i)));
}

function pick(item: Record<string, any>, path: string): unknown {
  const parts = path.split('/');
  if (parts.length === 1 && parts[0] !== 'name' && item.properties) return item.properties[parts[0]];
  return parts.reduce<any>((o, p) => (o == null ? undefined : o[p]), item);
}

export interface EntityDef {
  type: string;
  /** Instance template below SERVICE_TEMPLATE; the last parameter is the entity name. */
  template: string;
  /** Word in APIM's 404 message ("<entity> not found."). */
  entity: string;
  /** A parent entity that must exist (e.g. the API of an operation). */
  parent?: { template: string; entity: string };
  specOperation?: string;
  nameRule?: (name: string) => string | undefined;
  /** The stored wire body (without id/name/type) and secrets; throws APIM errors. */
  build: (ctx: RequestContext, existing: StoredResource | undefined, body: any, id: string) => { body: Record<string, any>; secrets?: Record<string, any> };
  /** What GET returns (default: the stored body). */
  view?: (env: LocalAzureContext, r: StoredResource, ctx?: RequestContext) => Record<string, any>;
  /** Reply to PUT (default 201/200 with the view and ETag). */
  putReply?: (ctx: RequestContext, stored: StoredResource, created: boolean) => Reply;
  /** Runs before a delete; throws to refuse, or removes related entities. */
  beforeDelete?: (ctx: RequestContext, existing: StoredResource) => void;
  /** DELETE statuses: [deleted, missing]; the spec of each operation lists them. */
  deleteStatuses?: [number, number];
  /** Merge for PATCH; omitted = no PATCH route. */
  patch?: (ctx: RequestContext, existing: StoredResource, body: any) => { body: Record<string, any>; secrets?: Record<string, any> };
  /** Instance methods the spec does not have (the collection GET is always served). */
  without?: Method[];
}

export function viewOf(env: LocalAzureContext, def: EntityDef, r: StoredResource, ctx?: RequestContext): Record<string, any> {
  return def.view ? def.view(env, r, ctx) : r.body;
}

/** The entity a request addresses, checking service and parent first; undefined when absent. */
export function lookup(env: LocalAzureContext, def: EntityDef, ctx: RequestContext): { id: string; existing?: StoredResource } {
  requireService(env, ctx);
  const params = { ...ctx.params, subscriptionId: env.subscriptionId };
  if (def.parent && !env.store.get(fillTemplate(def.parent.template, params))) throw entityNotFound(def.parent.entity);
  const id = fillTemplate(def.template, params);
  return { id, existing: env.store.get(id) };
}

/** GET, HEAD, PUT, DELETE, list (and PATCH when given) for one kind of service child entity. */
export function defineEntity(env: LocalAzureContext, def: EntityDef): void {
  const add = (method: Method, template: string, handler: Handler) => {
    if (!def.without?.includes(method)) route(env, method, template, def.type, handler);
  };
  const getOr404 = (ctx: RequestContext): StoredResource => {
    const { existing } = lookup(env, def, ctx);
    if (!existing) throw entityNotFound(def.entity);
    return existing;
  };

  add('GET', def.template, (ctx) => {
    const r = getOr404(ctx);
    return { status: 200, body: viewOf(env, def, r, ctx), headers: etagHeader(r) };
  });
  add('HEAD', def.template, (ctx) => ({ status: 200, headers: etagHeader(getOr404(ctx)) }));

  add('PUT', def.template, (ctx) => {
    const name = ctx.params[/\{([^}]+)\}$/.exec(def.template)![1]];
    const { id, existing } = lookup(env, def, ctx);
    const problem = def.nameRule?.(name);
    if (problem) throw fieldError('name', problem);
    const body = ctx.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw fieldError('body', 'The request body must be a JSON object.');
    if (def.specOperation) {
      const problems = validateRequestBody(def.specOperation, body);
      if (problems.length) throw bodyInvalid(problems);
    }
    checkIfMatch(ctx, existing);
    const built = def.build(ctx, existing, body, existing?.id ?? id);
    const now = new Date().toISOString();
    const stored = env.store.put({
      id: existing?.id ?? id,
      type: def.type,
      body: { id: existing?.id ?? id, type: def.type, name: existing?.body.name ?? name, ...built.body },
      secrets: { ...(built.secrets ?? existing?.secrets ?? {}), etag: nextEtag(env) },
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    });
    if (def.putReply) return def.putReply(ctx, stored, !existing);
    return { status: existing ? 200 : 201, body: viewOf(env, def, stored, ctx), headers: etagHeader(stored) };
  });

  if (def.patch) {
    const patch = def.patch;
    add('PATCH', def.template, (ctx) => {
      const existing = getOr404(ctx);
      checkIfMatch(ctx, existing);
      const built = patch(ctx, existing, ctx.body ?? {});
      existing.body = { ...existing.body, ...built.body };
      existing.secrets = { ...(built.secrets ?? existing.secrets ?? {}), etag: nextEtag(env) };
      existing.updatedAt = new Date().toISOString();
      env.store.markDirty();
      return { status: 200, body: viewOf(env, def, existing, ctx), headers: etagHeader(existing) };
    });
  }

  const [deleted, missing] = def.deleteStatuses ?? [200, 204];
  add('DELETE', def.template, (ctx) => {
    const { existing } = lookup(env, def, ctx);
    if (!existing) return { status: missing };
    checkIfMatch(ctx, existing);
    def.beforeDelete?.(ctx, existing);
    removeTree(env, existing.id);
    return { status: deleted };
  });

  const collection = def.template.replace(/\/\{[^}]+\}$/, '');
  route(env, 'GET', collection, def.type, (ctx) => {
    requireService(env, ctx);
    const params = { ...ctx.params, subscriptionId: env.subscriptionId };
    if (def.parent && !env.store.get(fillTemplate(def.parent.template, params))) throw entityNotFound(def.parent.entity);
    const parentId = fillTemplate(collection, params).replace(/\/[^/]+$/, '');
    const all = childrenOf(env, parentId, def.type)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((r) => viewOf(env, def, r, ctx));
    const value = applyFilter(all, ctx.query.get('$filter'));
    return { status: 200, body: { value, count: value.length, nextLink: null } };
  });
}
