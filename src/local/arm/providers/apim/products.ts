// Products and their APIs (apimproducts.json 2024-05-01). A product defaults to subscriptionRequired true and state
// notPublished; display names are unique ("Product with the same name already exists"). Deleting a product that
// has subscriptions fails unless ?deleteSubscriptions=true, with APIM's own message. PUT …/products/{pid}/apis/{apiId}
// (no body) links an API and answers with the API contract, 201 when new and 200 when it was already linked.
import type { LocalAzureContext } from '../../../context.ts';
import { ArmError } from '../../../http/arm-error.ts';
import type { StoredResource } from '../../../state/store.ts';
import { keyOf } from '../../../state/store.ts';
import { fillTemplate } from '../../resource-kit.ts';
import { apiView } from './apis.ts';
import { SERVICE_TEMPLATE, T, applyFilter, childrenOf, defineEntity, entityNotFound, fieldError, requireService, route, serviceId, serviceIdOf } from './common.ts';
import { subscriptionView } from './subscriptions.ts';

const PRODUCT = `${SERVICE_TEMPLATE}/products/{productId}`;
const STATES = ['notPublished', 'published'];

export function registerProducts(env: LocalAzureContext): void {
  defineEntity(env, {
    type: T.product,
    template: PRODUCT,
    entity: 'Product',
    specOperation: 'Product_CreateOrUpdate',
    nameRule: (n) => (n.length > 256 ? 'Product identifier must not exceed 256 characters.' : undefined),
    build: (_ctx, existing, body, id) => ({ body: { properties: productProperties(env, id, body?.properties ?? {}, existing) } }),
    patch: (_ctx, existing, body) => ({ body: { properties: productProperties(env, existing.id, { ...existing.body.properties, ...(body?.properties ?? {}) }, existing) } }),
    beforeDelete: (ctx, product) => {
      const subs = env.store.list(T.subscription, serviceIdOf(product.id)).filter((s) => keyOf(String(s.body.properties.scope)) === keyOf(product.id));
      if (subs.length && ctx.query.get('deleteSubscriptions')?.toLowerCase() !== 'true') {
        throw new ArmError(400, 'ValidationError',
          'Product cannot be deleted since it has existing subscriptions. Delete subscriptions before deleting the product or pass in deleteSubscriptions=true as query param');
      }
      for (const s of subs) env.store.delete(s.id);
    },
  });

  const linkDef = {
    type: T.productApi,
    template: `${PRODUCT}/apis/{apiId}`,
    entity: 'Api',
    parent: { template: PRODUCT, entity: 'Product' },
    without: ['GET', 'HEAD'] as Array<'GET' | 'HEAD'>,
    build: (_ctx: any, _existing: StoredResource | undefined, _body: any, id: string) => {
      if (!env.store.get(linkedApiId(id))) throw entityNotFound('Api');
      return { body: { properties: {} } };
    },
    view: (e: LocalAzureContext, link: StoredResource) => {
      const api = e.store.get(linkedApiId(link.id));
      return api ? apiView(e, api) : link.body;
    },
  };
  defineEntity(env, linkDef);

  // ProductApi_CheckEntityExists: 204 when linked, 404 otherwise.
  route(env, 'HEAD', `${PRODUCT}/apis/{apiId}`, T.productApi, (ctx) => {
    requireService(env, ctx);
    const id = fillTemplate(`${PRODUCT}/apis/{apiId}`, { ...ctx.params, subscriptionId: env.subscriptionId });
    if (!env.store.get(id)) throw entityNotFound('Api');
    return { status: 204 };
  });

  // ApiProduct_ListByApis: the products an API belongs to.
  route(env, 'GET', `${SERVICE_TEMPLATE}/apis/{apiId}/products`, T.product, (ctx) => {
    requireService(env, ctx);
    const svc = serviceId(env, ctx.params);
    if (!env.store.get(`${svc}/apis/${ctx.params.apiId}`)) throw entityNotFound('Api');
    const value = env.store
      .list(T.productApi, svc)
      .filter((l) => l.id.split('/').pop()!.toLowerCase() === ctx.params.apiId.toLowerCase())
      .map((l) => env.store.get(l.id.replace(/\/apis\/[^/]+$/, '')))
      .filter((p): p is StoredResource => !!p)
      .map((p) => p.body);
    return { status: 200, body: { value: applyFilter(value, ctx.query.get('$filter')), count: value.length, nextLink: null } };
  });

  // ProductSubscriptions_List.
  route(env, 'GET', `${PRODUCT}/subscriptions`, T.subscription, (ctx) => {
    requireService(env, ctx);
    const productId = fillTemplate(PRODUCT, { ...ctx.params, subscriptionId: env.subscriptionId });
    if (!env.store.get(productId)) throw entityNotFound('Product');
    const value = childrenOf(env, serviceIdOf(productId), T.subscription)
      .filter((s) => keyOf(String(s.body.properties.scope)) === keyOf(productId))
      .map((s) => subscriptionView(env, s));
    return { status: 200, body: { value: applyFilter(value, ctx.query.get('$filter')), count: value.length, nextLink: null } };
  });
}

/** `…/products/{pid}/apis/{apiId}` → `…/apis/{apiId}`. */
const linkedApiId = (linkId: string): string => `${serviceIdOf(linkId)}/apis/${linkId.split('/').pop()}`;

function productProperties(env: LocalAzureContext, id: string, p: any, existing: StoredResource | undefined): Record<string, unknown> {
  if (typeof p.displayName !== 'string' || !p.displayName || p.displayName.length > 300) throw fieldError('displayName', 'Display name is required and must be 1 to 300 characters long.');
  if (p.description !== undefined && p.description !== null && String(p.description).length > 1000) throw fieldError('description', 'Description must not exceed 1000 characters.');
  if (p.state !== undefined && !STATES.includes(p.state)) throw fieldError('state', `State must be one of: ${STATES.join(', ')}.`);
  const clash = childrenOf(env, serviceIdOf(id), T.product).find(
    (r) => keyOf(r.id) !== keyOf(id) && String(r.body.properties.displayName).toLowerCase() === p.displayName.toLowerCase(),
  );
  if (clash) throw fieldError('name', 'Product with the same name already exists');
  const subscriptionRequired = p.subscriptionRequired ?? true;
  const out: Record<string, unknown> = {
    displayName: p.displayName,
    description: p.description ?? null,
    terms: p.terms ?? null,
    subscriptionRequired,
    approvalRequired: subscriptionRequired ? (p.approvalRequired ?? false) : null,
    subscriptionsLimit: subscriptionRequired ? (p.subscriptionsLimit ?? null) : null,
    state: p.state ?? existing?.body.properties.state ?? 'notPublished',
  };
  return out;
}
