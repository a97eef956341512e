// The whole decision for one gateway request, still pure: route → subscription → policies → backend request.
// The HTTP wiring calls handleRequest; on `forward` it sends `request` (forward.ts does that with node:http) and
// hands the backend's answer to handleResponse, or a transport failure to handleBackendFailure.
//
// Built-in failures go through the effective on-error section too (the error-handling page's example answers
// an unauthorized request with on-error's headers): 404 with the global and API scopes (no operation matched),
// 401 with global, API and operation scopes (no product is known without a valid key).
import type { BackendRequest } from './backend.ts';
import { headerValue, type ApiContract, type GatewayConfig, type GatewayRequest, type GatewayResponse, type OperationContract } from './model.ts';
import { createPolicyContext, evaluateBackendFailure, evaluateInbound, evaluateOnError, evaluateOutbound, isPreflightRequest, type ContextOptions } from './policies.ts';
import { globalDocument, loadDocument, type LastError, type PolicyContext } from './policy-runtime.ts';
import { effectivePolicies } from './policy-xml.ts';
import { OPERATION_NOT_FOUND_MESSAGE, routeRequest, type QueryParam, type RouteMatch } from './route.ts';
import { checkSubscription } from './subscription-check.ts';

export type GatewayDecision =
  | { action: 'respond'; response: GatewayResponse; ctx?: PolicyContext }
  | { action: 'forward'; request: BackendRequest; ctx: PolicyContext };

const placeholderOperation = (method: string): OperationContract => ({ name: '', properties: { method, urlTemplate: '' } });
const placeholderApi: ApiContract = { name: '', properties: { path: '' }, operations: [] };

/** A context for built-in errors raised before the policy pipeline exists (404, 401). */
function errorContext(config: GatewayConfig, req: GatewayRequest, api: ApiContract | undefined, route: RouteMatch | undefined, query: QueryParam[], opts: ContextOptions): PolicyContext {
  const r: RouteMatch = route ?? { api: api ?? placeholderApi, operation: placeholderOperation(req.method), templateParameters: {}, backendPath: '', query };
  const ctx = createPolicyContext(config, req, r, {}, opts);
  ctx.pipelines = effectivePolicies({
    global: globalDocument(config),
    api: api ? loadDocument(config, api.policy) : undefined,
    operation: route ? loadDocument(config, route.operation.policy) : undefined,
  });
  return ctx;
}

export function handleRequest(config: GatewayConfig, req: GatewayRequest, opts: ContextOptions): GatewayDecision {
  let routed = routeRequest(config, req);
  // A CORS preflight with no OPTIONS operation is matched against the operation it asks about.
  if (!routed.ok && isPreflightRequest(req)) routed = routeRequest(config, req, headerValue(req.headers, 'access-control-request-method'));
  if (!routed.ok) {
    const ctx = errorContext(config, req, routed.api, undefined, routed.query, opts);
    const error: LastError = { source: 'configuration', reason: 'OperationNotFound', message: OPERATION_NOT_FOUND_MESSAGE };
    return { action: 'respond', response: evaluateOnError(ctx, routed.response, error), ctx };
  }
  const route = routed.match;
  const access = checkSubscription(config, route.api, req.headers, route.query, { lenient: isPreflightRequest(req) });
  if (!access.ok) {
    const ctx = errorContext(config, req, route.api, route, route.query, opts);
    const error: LastError = { source: 'authorization', reason: access.reason, message: access.message };
    return { action: 'respond', response: evaluateOnError(ctx, access.response, error), ctx };
  }
  const ctx = createPolicyContext(config, req, route, { subscription: access.subscription, product: access.product, key: access.key }, opts);
  const result = evaluateInbound(ctx);
  return result.action === 'forward' ? { action: 'forward', request: result.request, ctx } : { action: 'respond', response: result.response, ctx };
}

export const handleResponse = (ctx: PolicyContext, backendResponse: GatewayResponse): GatewayResponse => evaluateOutbound(ctx, backendResponse);

export const handleBackendFailure = (ctx: PolicyContext, message: string, timedOut = false): GatewayResponse =>
  evaluateBackendFailure(ctx, message, timedOut ? 'Timeout' : 'BackendConnectionFailure');
