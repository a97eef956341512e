// Shared builders for the gateway unit tests (not a test file itself).
import { createPolicyContext, newGatewayState, type GatewayState, type PolicyContext } from '../../src/local/gateway/policies.ts';
import type { ApiContract, GatewayConfig, GatewayRequest, HeaderMap, OperationContract, ProductContract, SubscriptionContract } from '../../src/local/gateway/model.ts';
import { routeRequest } from '../../src/local/gateway/route.ts';

export const SVC = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc';

export const op = (name: string, method: string, urlTemplate: string, extra: Partial<OperationContract> = {}): OperationContract => ({
  name,
  properties: { displayName: name, method, urlTemplate, ...(extra.properties ?? {}) },
  ...(extra.policy ? { policy: extra.policy } : {}),
});

export const api = (name: string, path: string, operations: OperationContract[], props: Partial<ApiContract['properties']> = {}, policy?: string): ApiContract => ({
  name,
  properties: { displayName: name, path, serviceUrl: `https://${name}.backend.test/api`, protocols: ['https'], ...props },
  operations,
  ...(policy ? { policy: { properties: { value: policy, format: 'rawxml' as const } } } : {}),
});

export const sub = (name: string, scope: string, primaryKey: string, state: SubscriptionContract['properties']['state'] = 'active'): SubscriptionContract => ({
  name,
  properties: { scope, state, primaryKey, secondaryKey: `${primaryKey}-2`, displayName: name },
});

export const product = (name: string, apis: string[], props: Partial<ProductContract['properties']> = {}, policy?: string): ProductContract => ({
  name,
  properties: { displayName: name, subscriptionRequired: true, state: 'published', ...props },
  apis,
  ...(policy ? { policy: { properties: { value: policy, format: 'rawxml' as const } } } : {}),
});

export function config(over: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    serviceName: 'svc',
    sku: 'Consumption',
    region: 'West Europe',
    apis: [api('echo', 'echo', [op('get-resource', 'GET', '/resource'), op('get-item', 'GET', '/items/{id}'), op('create', 'POST', '/resource')])],
    products: [],
    namedValues: [],
    backends: [],
    subscriptions: [sub('s1', `${SVC}/apis/echo`, 'key-echo')],
    ...over,
  };
}

export function req(method: string, url: string, headers: Record<string, string> = {}, extra: Partial<GatewayRequest> = {}): GatewayRequest {
  const h: HeaderMap = {};
  for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = [v];
  return { method, url, headers: h, body: { kind: 'passthrough' }, clientIp: '10.1.2.3', protocol: 'https', host: 'svc.azure-api.net', ...extra };
}

/** Wraps a policy into a full document at the api scope. */
export const apiPolicy = (inbound: string, outbound = '<base />', onError = '<base />', backend = '<base />'): string =>
  `<policies><inbound><base />${inbound}</inbound><backend>${backend}</backend><outbound>${outbound}</outbound><on-error>${onError}</on-error></policies>`;

/** A context for `url` on `cfg`, routed and with the given access (no subscription check). */
export function contextFor(cfg: GatewayConfig, r: GatewayRequest, access: { subscription?: SubscriptionContract; product?: ProductContract; key?: string } = {}, state: GatewayState = newGatewayState(), now = () => 1_000_000): PolicyContext {
  const routed = routeRequest(cfg, r);
  if (!routed.ok) throw new Error(`no route for ${r.method} ${r.url}`);
  return createPolicyContext(cfg, r, routed.match, access, { state, now, requestId: 'req-1' });
}

export const bodyText = (b: { kind: string; text?: string }): string | undefined => (b.kind === 'text' ? b.text : undefined);
export const json = (b: { kind: string; text?: string }): unknown => JSON.parse(bodyText(b) ?? 'null');
