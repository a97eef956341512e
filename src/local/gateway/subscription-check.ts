// Subscription keys, as api-management-subscriptions.md ("How API Management handles requests with or without
// subscription keys") describes them:
// - The key is read from the `Ocp-Apim-Subscription-Key` header (or the API's subscriptionKeyParameterNames
//   .header); the `subscription-key` query parameter (or .query) is checked only if the header is absent.
// - With a key: it must belong to an *active* subscription whose scope is this API, all APIs, the service
//   (all-access), or a product that contains the API. "API access in a product context is the same, whether
//   the product is published or not", so a product's state does not matter. Any other key is denied, even on
//   an API that requires no subscription ("Even if a product or API doesn't require a subscription, a valid key
//   … can still be used" / summary table: "Access denied: Other key not scoped to applicable product or API").
// - Without a key: first an *open* product (subscriptionRequired false) that contains the API gives the request
//   that product's context; else the API's subscriptionRequired (default true) decides.
// - Product policies apply only in a product context: product-scoped key or open product. API-scoped,
//   all-APIs and all-access keys carry no product ("any policies configured at the product scope aren't
//   applied to requests from that subscription").
// Bodies (exact wording as observed on the wire, e.g. MicrosoftDocs/azure-docs#15130, learn.microsoft.com
// troubleshoot/azure/api-mgmt/.../unauthorized-errors-invoke-apis):
//   401 Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.
//   401 Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.
import { apimError, eqi, headerValue, type ApiContract, type GatewayConfig, type GatewayResponse, type HeaderMap, type ProductContract, type SubscriptionContract } from './model.ts';
import type { QueryParam } from './route.ts';

export const DEFAULT_KEY_HEADER = 'Ocp-Apim-Subscription-Key';
export const DEFAULT_KEY_QUERY = 'subscription-key';
export const MISSING_KEY_MESSAGE = 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
export const INVALID_KEY_MESSAGE = 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';

export type SubscriptionScope =
  | { kind: 'service' }
  | { kind: 'allApis' }
  | { kind: 'api'; api: string }
  | { kind: 'product'; product: string }
  | { kind: 'unknown' };

/** Parses a subscription scope: full ARM id or the short forms `/apis`, `/apis/{id}`, `/products/{id}`. */
export function parseScope(scope: string): SubscriptionScope {
  let rest = scope.trim();
  const svc = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ApiManagement\/service\/[^/]+/i.exec(rest);
  if (svc) rest = rest.slice(svc[0].length);
  rest = rest.replace(/\/+$/, '');
  if (rest === '') return { kind: 'service' };
  if (/^\/apis$/i.test(rest)) return { kind: 'allApis' };
  const api = /^\/apis\/([^/]+)$/i.exec(rest);
  if (api) return { kind: 'api', api: decodeURIComponent(api[1]) };
  const product = /^\/products\/([^/]+)$/i.exec(rest);
  if (product) return { kind: 'product', product: decodeURIComponent(product[1]) };
  return { kind: 'unknown' };
}

export interface KeyLocation {
  kind: 'header' | 'query';
  name: string;
}

export type SubscriptionCheck =
  | {
      ok: true;
      subscription?: SubscriptionContract;
      /** The product context (product-scoped key or open product): product-scope policies apply. */
      product?: ProductContract;
      key?: string;
      keyLocation?: KeyLocation;
    }
  | { ok: false; reason: 'SubscriptionKeyNotFound' | 'SubscriptionKeyInvalid'; message: string; response: GatewayResponse };

export function keyNames(api: ApiContract): { header: string; query: string } {
  const n = api.properties.subscriptionKeyParameterNames;
  return { header: n?.header || DEFAULT_KEY_HEADER, query: n?.query || DEFAULT_KEY_QUERY };
}

/** The key the client sent and where: the header wins; the query parameter is read only without it. */
export function findKey(api: ApiContract, headers: HeaderMap, query: QueryParam[]): { key: string; location: KeyLocation } | undefined {
  const names = keyNames(api);
  const h = headerValue(headers, names.header);
  if (h !== undefined && h.trim() !== '') return { key: h.trim(), location: { kind: 'header', name: names.header } };
  const q = query.find((p) => eqi(p.name, names.query));
  if (q?.value) return { key: q.value, location: { kind: 'query', name: names.query } };
  return undefined;
}

const productHasApi = (p: ProductContract, api: ApiContract): boolean => p.apis.some((a) => eqi(a, api.name));

/** Whether `sub` (whatever its state) grants access to `api`, and in which product context. */
export function scopeCovers(config: GatewayConfig, sub: SubscriptionContract, api: ApiContract): { covers: boolean; product?: ProductContract } {
  const scope = parseScope(sub.properties.scope);
  switch (scope.kind) {
    case 'service':
    case 'allApis':
      return { covers: true };
    case 'api':
      return { covers: eqi(scope.api, api.name) };
    case 'product': {
      const product = config.products.find((p) => eqi(p.name, scope.product));
      return product && productHasApi(product, api) ? { covers: true, product } : { covers: false };
    }
    default:
      return { covers: false };
  }
}

export interface CheckOptions {
  /**
   * CORS preflights carry no custom headers, so APIM cannot require a key on them; in lenient mode the check
   * never fails and only reports the context it could establish (which is why a product-scope cors policy
   * only works with the key in the query string, cors-policy.md "Common configuration issues").
   */
  lenient?: boolean;
}

export function checkSubscription(config: GatewayConfig, api: ApiContract, headers: HeaderMap, query: QueryParam[], opts: CheckOptions = {}): SubscriptionCheck {
  const found = findKey(api, headers, query);
  if (found) {
    for (const sub of config.subscriptions) {
      if (sub.properties.state !== 'active') continue;
      if (sub.properties.primaryKey !== found.key && sub.properties.secondaryKey !== found.key) continue;
      const cover = scopeCovers(config, sub, api);
      if (cover.covers) return { ok: true, subscription: sub, product: cover.product, key: found.key, keyLocation: found.location };
    }
    if (opts.lenient) return { ok: true, ...openContext(config, api) };
    return { ok: false, reason: 'SubscriptionKeyInvalid', message: INVALID_KEY_MESSAGE, response: apimError(401, INVALID_KEY_MESSAGE) };
  }
  const open = openContext(config, api);
  if (open.product || api.properties.subscriptionRequired === false || opts.lenient) return { ok: true, ...open };
  return { ok: false, reason: 'SubscriptionKeyNotFound', message: MISSING_KEY_MESSAGE, response: apimError(401, MISSING_KEY_MESSAGE) };
}

/** "An API can be associated with at most one open product": the first one that contains it. */
function openContext(config: GatewayConfig, api: ApiContract): { product?: ProductContract } {
  const product = config.products.find((p) => p.properties.subscriptionRequired === false && productHasApi(p, api));
  return product ? { product } : {};
}
