// Subscriptions (apimsubscriptions.json 2024-05-01). Scope is given as "/apis", "/apis/{id}", "/products/{id}" or a
// full id and is answered as the full resource id; it must exist. Without a state a subscription is created
// "submitted" (SubscriptionCreateParameterProperties.state). Keys are 32 hex characters kept in secrets — GET and
// list never carry them (the contract: "will not be filled on 'GET' operations") — read with POST listSecrets,
// rotated by regeneratePrimaryKey/regenerateSecondaryKey (204). Every service has the built-in all-access
// subscription "master" (scope "<service id>/", "Built-in all-access subscription", active).
import type { LocalAzureContext } from '../../../context.ts';
import type { StoredResource } from '../../../state/store.ts';
import { ArmError } from '../../../http/arm-error.ts';
import { SERVICE_TEMPLATE, T, defineEntity, entityNotFound, etagHeader, fieldError, lookup, newKey, nextEtag, route, serviceIdOf, type EntityDef } from './common.ts';

const TEMPLATE = `${SERVICE_TEMPLATE}/subscriptions/{sid}`;
const SID_RE = /^[^*#&+:<>?]+$/;
const STATES = ['suspended', 'active', 'expired', 'submitted', 'rejected', 'cancelled'];

export const subscriptionView = (_env: LocalAzureContext, r: StoredResource): Record<string, any> => r.body;

/** Creates the built-in all-access subscription of a new service. */
export function ensureMasterSubscription(env: LocalAzureContext, serviceId: string): void {
  const id = `${serviceId}/subscriptions/master`;
  if (env.store.get(id)) return;
  const now = new Date().toISOString();
  env.store.put({
    id,
    type: T.subscription,
    body: {
      id,
      type: T.subscription,
      name: 'master',
      properties: {
        ownerId: `${serviceId}/users/1`,
        scope: `${serviceId}/`,
        displayName: 'Built-in all-access subscription',
        state: 'active',
        createdDate: now,
        startDate: now,
        allowTracing: false,
      },
    },
    secrets: { primaryKey: newKey(), secondaryKey: newKey(), etag: nextEtag(env) },
    createdAt: now,
    updatedAt: now,
  });
}

/** "/apis", "/apis/{id}", "/products/{id}", the service itself, or full ids of those → the full id; must exist. */
function normalizeScope(env: LocalAzureContext, serviceId: string, scope: unknown): string {
  if (typeof scope !== 'string' || !scope) throw fieldError('scope', 'Scope is required.');
  let rel = scope;
  if (scope.toLowerCase().startsWith(serviceId.toLowerCase())) rel = scope.slice(serviceId.length);
  else if (scope.toLowerCase().startsWith('/subscriptions/')) throw fieldError('scope', `Scope '${scope}' does not belong to this service.`);
  rel = rel.replace(/\/+$/, '');
  if (rel === '') return `${serviceId}/`;
  if (/^\/apis$/i.test(rel)) return `${serviceId}/apis`;
  const m = /^\/(apis|products)\/([^/]+)$/i.exec(rel);
  if (!m) throw fieldError('scope', `Scope '${scope}' is not valid: use /apis, /apis/{apiId} or /products/{productId}.`);
  const kind = m[1].toLowerCase() as 'apis' | 'products';
  const target = env.store.get(`${serviceId}/${kind}/${m[2]}`);
  if (!target) throw fieldError('scope', `${kind === 'apis' ? 'Api' : 'Product'} not found.`);
  return target.id;
}

export function registerSubscriptions(env: LocalAzureContext): void {
  const def: EntityDef = {
    type: T.subscription,
    template: TEMPLATE,
    entity: 'Subscription',
    specOperation: 'Subscription_CreateOrUpdate',
    nameRule: (n) => (n.length > 256 || !SID_RE.test(n) ? `Subscription identifier '${n}' is invalid.` : undefined),
    build: (_ctx, existing, body, id) => build(env, existing, body?.properties ?? {}, id),
    view: subscriptionView,
    patch: (_ctx, existing, body) => build(env, existing, body?.properties ?? {}, existing.id),
    beforeDelete: (_ctx, existing) => {
      if (existing.body.name === 'master') throw fieldError('name', 'The built-in all-access subscription cannot be deleted.');
    },
  };
  defineEntity(env, def);

  const get = (ctx: any): StoredResource => {
    const { existing } = lookup(env, def, ctx);
    if (!existing) throw entityNotFound('Subscription');
    return existing;
  };
  route(env, 'POST', `${TEMPLATE}/listSecrets`, T.subscription, (ctx) => {
    const s = get(ctx);
    return { status: 200, body: { primaryKey: s.secrets?.primaryKey, secondaryKey: s.secrets?.secondaryKey }, headers: etagHeader(s) };
  }, true);
  for (const which of ['Primary', 'Secondary'] as const) {
    route(env, 'POST', `${TEMPLATE}/regenerate${which}Key`, T.subscription, (ctx) => {
      const s = get(ctx);
      s.secrets = { ...s.secrets, [which === 'Primary' ? 'primaryKey' : 'secondaryKey']: newKey(), etag: nextEtag(env) };
      s.updatedAt = new Date().toISOString();
      env.store.markDirty();
      return { status: 204 };
    });
  }
}

function build(env: LocalAzureContext, existing: StoredResource | undefined, p: any, id: string) {
  const svc = serviceIdOf(id);
  const old = existing?.body.properties ?? {};
  const scope = p.scope !== undefined || !existing ? normalizeScope(env, svc, p.scope) : old.scope;
  const displayName = p.displayName ?? old.displayName;
  if (!existing && (typeof displayName !== 'string' || !displayName)) throw fieldError('displayName', 'Display name is required.');
  if (typeof displayName === 'string' && displayName.length > 100) throw fieldError('displayName', 'Display name must not exceed 100 characters.');
  if (p.state !== undefined && !STATES.includes(p.state)) throw fieldError('state', `State must be one of: ${STATES.join(', ')}.`);
  for (const k of ['primaryKey', 'secondaryKey'] as const) {
    if (p[k] !== undefined && (typeof p[k] !== 'string' || p[k].length < 1 || p[k].length > 256)) throw fieldError(k, `${k} must be 1 to 256 characters long.`);
  }
  if (p.ownerId !== undefined && p.ownerId !== null && !/\/users\/[^/]+$/i.test(String(p.ownerId))) {
    throw new ArmError(400, 'ValidationError', `Owner '${p.ownerId}' is not a valid user identifier: use /users/{userId}.`);
  }
  const now = new Date().toISOString();
  const state = p.state ?? old.state ?? 'submitted';
  const properties: Record<string, unknown> = {
    ...(p.ownerId ? { ownerId: String(p.ownerId).startsWith('/users/') ? `${svc}${p.ownerId}` : p.ownerId } : old.ownerId ? { ownerId: old.ownerId } : {}),
    scope,
    displayName,
    state,
    createdDate: old.createdDate ?? now,
    startDate: state === 'active' ? (old.startDate ?? now) : (old.startDate ?? null),
    expirationDate: old.expirationDate ?? null,
    endDate: ['cancelled', 'expired'].includes(state) ? (old.endDate ?? now) : null,
    notificationDate: null,
    stateComment: p.stateComment ?? old.stateComment ?? null,
    allowTracing: p.allowTracing ?? old.allowTracing ?? false,
  };
  const secrets = {
    primaryKey: p.primaryKey ?? existing?.secrets?.primaryKey ?? newKey(),
    secondaryKey: p.secondaryKey ?? existing?.secrets?.secondaryKey ?? newKey(),
  };
  return { body: { properties }, secrets };
}
