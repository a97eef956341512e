// Shared mechanics of ARM resource types: id building, parent checks, name rules, globally unique names,
// body validation, and the GET/PUT/DELETE/list routes. Each provider declares its types with defineResource.
import type { LocalAzureContext } from '../context.ts';
import { ArmError, resourceGroupNotFound } from '../http/arm-error.ts';
import type { Handler, Method, Reply, RequestContext } from '../http/router.ts';
import type { StoredResource } from '../state/store.ts';
import { registerNamespace } from '../http/server.ts';
import { validateRequestBody } from './spec/validate.ts';
import { normalizeLocation } from './locations.ts';

export interface PutResult {
  /** The wire body to store (id, name and type are added). */
  body: Record<string, any>;
  secrets?: Record<string, any>;
}

export interface ResourceDef {
  type: string;
  /** Instance path template, canonical casing; the last parameter is the resource name. */
  template: string;
  apiVersions: readonly string[];
  /** Message when the name is invalid, else undefined. */
  nameRule?: (name: string) => string | undefined;
  nameErrorCode?: string;
  /** Operation id in Microsoft's spec whose request body schema a PUT must satisfy. */
  specOperation?: string;
  /** Names unique across the local Azure (storage accounts, sites, APIM services). */
  globallyUnique?: (name: string) => ArmError;
  build: (ctx: RequestContext, existing: StoredResource | undefined, body: any) => PutResult;
  /** How PUT answers; default: 201 created / 200 updated, synchronous. */
  putReply?: (ctx: RequestContext, stored: StoredResource, created: boolean) => Reply;
  /** How DELETE answers; default: 200 deleted / 204 absent, synchronous. */
  deleteReply?: (ctx: RequestContext, stored: StoredResource) => Reply;
  /** Statuses for DELETE of a missing resource (default 204). */
  deleteMissingStatus?: number;
  /** Extra list templates (the collection path of the instance template is always added). */
  listTemplates?: string[];
  /** Adjusts what GET returns, e.g. to apply lazily computed state. */
  view?: (env: LocalAzureContext, stored: StoredResource) => Record<string, any>;
  /** Methods this type does not allow. */
  without?: Method[];
  patch?: (ctx: RequestContext, existing: StoredResource, body: any) => PutResult;
}

export function resourceName(def: ResourceDef, params: Record<string, string>): string {
  return params[lastParam(def.template)];
}

const lastParam = (template: string): string => /\{([^}]+)\}$/.exec(template)![1];

/** Fills a template with the request's parameters, keeping canonical literal casing. */
export function fillTemplate(template: string, params: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, p: string) => params[p]);
}

/** The parent id of a nested ARM id (one type/name pair up), or of a top-level resource its resource group. */
export function parentIdOf(id: string): string | undefined {
  const parts = id.split('/');
  const pi = parts.map((p) => p.toLowerCase()).lastIndexOf('providers');
  if (pi < 0) return undefined;
  const after = parts.length - pi - 1; // ns, type, name, [type, name]...
  if (after <= 3) return undefined;
  return parts.slice(0, parts.length - 2).join('/');
}

export function checkResourceGroup(env: LocalAzureContext, params: Record<string, string>): StoredResource {
  const rg = params.resourceGroupName;
  const found = env.store.get(`/subscriptions/${env.subscriptionId}/resourceGroups/${rg}`);
  if (!found) throw resourceGroupNotFound(rg);
  return found;
}

function checkParent(env: LocalAzureContext, id: string): void {
  const parent = parentIdOf(id);
  if (!parent) return;
  if (!env.store.get(parent)) {
    const name = parent.split('/').pop();
    throw new ArmError(404, 'ParentResourceNotFound', `Can not perform requested operation on nested resource. Parent resource '${name}' not found.`);
  }
}

export function view(env: LocalAzureContext, def: ResourceDef, r: StoredResource): Record<string, any> {
  return def.view ? def.view(env, r) : r.body;
}

export function getOr404(env: LocalAzureContext, def: ResourceDef, ctx: RequestContext): StoredResource {
  const id = fillTemplate(def.template, ctx.params);
  if (def.template.includes('{resourceGroupName}')) checkResourceGroup(env, ctx.params);
  checkParent(env, id);
  const r = env.store.get(id);
  if (!r) {
    const rg = ctx.params.resourceGroupName;
    const typeAndName = id.split('/providers/')[1] ?? id;
    throw new ArmError(
      404,
      'ResourceNotFound',
      rg
        ? `The Resource '${typeAndName}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`
        : `The Resource '${typeAndName}' was not found.`,
    );
  }
  return r;
}

export function defineResource(env: LocalAzureContext, def: ResourceDef): void {
  const ns = /\/providers\/([^/]+)\//.exec(def.template)?.[1];
  if (ns) registerNamespace(ns);
  const route = (method: Method, template: string, handler: Handler, readOnly = false) => {
    if (def.without?.includes(method)) return;
    env.router.add({ method, template, apiVersions: def.apiVersions, resourceType: def.type, handler, readOnly });
  };

  route('GET', def.template, (ctx) => ({ status: 200, body: view(env, def, getOr404(env, def, ctx)) }));

  route('PUT', def.template, (ctx) => {
    const name = resourceName(def, ctx.params);
    const id = fillTemplate(def.template, ctx.params);
    const nameProblem = def.nameRule?.(name);
    if (def.template.includes('{resourceGroupName}') && !def.template.endsWith('{resourceGroupName}')) checkResourceGroup(env, ctx.params);
    if (nameProblem) throw new ArmError(400, def.nameErrorCode ?? 'InvalidResourceName', nameProblem);
    checkParent(env, id);
    const body = ctx.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw new ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized: expected a JSON object.');
    if (def.specOperation) {
      const problems = validateRequestBody(def.specOperation, body);
      if (problems.length) throw bodyInvalid(problems);
    }
    const existing = env.store.get(id);
    if (!existing && def.globallyUnique) {
      const taken = env.store.all().some((r) => r.type.toLowerCase() === def.type.toLowerCase() && r.id.split('/').pop()!.toLowerCase() === name.toLowerCase());
      if (taken) throw def.globallyUnique(name);
    }
    if (existing && env.lro.running(existing.id)) {
      throw new ArmError(409, 'AnotherOperationInProgress', `Another operation on '${name}' is in progress. Try again after it completes.`);
    }
    const built = def.build(ctx, existing, body);
    const now = new Date().toISOString();
    const stored: StoredResource = env.store.put({
      id: existing?.id ?? id,
      type: def.type,
      body: { id: existing?.id ?? id, name: existing?.body.name ?? name, type: def.type, ...built.body },
      secrets: built.secrets ?? existing?.secrets,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    });
    if (def.putReply) return def.putReply(ctx, stored, !existing);
    return { status: existing ? 200 : 201, body: view(env, def, stored) };
  });

  if (def.patch) {
    const patch = def.patch;
    route('PATCH', def.template, (ctx) => {
      const existing = getOr404(env, def, ctx);
      const built = patch(ctx, existing, ctx.body ?? {});
      existing.body = { ...existing.body, ...built.body };
      if (built.secrets) existing.secrets = built.secrets;
      existing.updatedAt = new Date().toISOString();
      env.store.markDirty();
      return { status: 200, body: view(env, def, existing) };
    });
  }

  route('DELETE', def.template, (ctx) => {
    if (def.template.includes('{resourceGroupName}')) checkResourceGroup(env, ctx.params);
    const id = fillTemplate(def.template, ctx.params);
    checkParent(env, id);
    const existing = env.store.get(id);
    if (!existing) return { status: def.deleteMissingStatus ?? 204 };
    if (def.deleteReply) return def.deleteReply(ctx, existing);
    env.deleteResourceTree(existing.id);
    return { status: 200 };
  });

  // The collection path lists direct children; extra templates (by subscription, by resource group) list
  // every resource of the type under the scope before their /providers/ segment.
  const collection = def.template.replace(/\/\{[^}]+\}$/, '');
  for (const t of [collection, ...(def.listTemplates ?? [])]) {
    route('GET', t, (ctx) => {
      if (t.includes('{resourceGroupName}')) checkResourceGroup(env, ctx.params);
      const filled = fillTemplate(t, ctx.params);
      const direct = t === collection;
      if (direct) checkParent(env, filled + '/x');
      const prefix = (direct ? filled : filled.replace(/\/providers\/.*$/i, '')).toLowerCase() + '/';
      const depth = filled.split('/').length + 1;
      const value = env.store
        .all()
        .filter((r) => r.type.toLowerCase() === def.type.toLowerCase() && r.id.toLowerCase().startsWith(prefix))
        .filter((r) => !direct || r.id.split('/').length === depth)
        .map((r) => view(env, def, r));
      return { status: 200, body: { value } };
    });
  }
}

export function bodyInvalid(problems: Array<{ path: string; message: string }>): ArmError {
  const first = problems[0];
  return new ArmError(400, 'InvalidRequestContent', `The request content was invalid: ${first.message}`, {
    target: first.path || undefined,
    details: problems.slice(0, 10).map((p) => ({ code: 'InvalidRequestContent', message: p.message, target: p.path })),
  });
}

/** Standard ARM tracked-resource location check. */
export function requireLocation(body: any): string {
  const loc = body?.location;
  if (typeof loc !== 'string' || !loc.trim()) {
    throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.');
  }
  return normalizeLocation(loc);
}

export { normalizeLocation };

export const systemData = (existing: StoredResource | undefined) => {
  const now = new Date().toISOString();
  return {
    createdBy: existing?.body.systemData?.createdBy ?? 'local-user@localhost',
    createdByType: 'User',
    createdAt: existing?.body.systemData?.createdAt ?? now,
    lastModifiedBy: 'local-user@localhost',
    lastModifiedByType: 'User',
    lastModifiedAt: now,
  };
};
