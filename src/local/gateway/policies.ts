// Policy evaluation. A request's PolicyContext is created once routing and the subscription check have passed;
// evaluateInbound runs the effective inbound section, then the backend section up to <forward-request />, and
// either decides the backend request (backend.ts) or answers; evaluateOutbound runs the outbound section on the
// backend's response. Any policy failure jumps to the effective on-error section with context.LastError set
// ("If an error occurs … remaining steps in the inbound, backend, or outbound sections are skipped. Execution
// jumps to the statements in the on-error section", api-management-howto-policies.md). return-response and
// mock-response end the pipeline.
import { randomUUID } from 'node:crypto';
import { buildBackendRequest, BackendResolutionError, type BackendRequest } from './backend.ts';
import { ExpressionError, ExpressionRuntimeError } from './expressions.ts';
import { mockResponse } from './mock.ts';
import { cloneHeaders, eqi, headerValue, internalError, type GatewayConfig, type GatewayRequest, type GatewayResponse, type ProductContract, type SubscriptionContract } from './model.ts';
import { checkHeader, ipFilter, rateLimit } from './policy-access.ts';
import { cors, preflightResponse } from './policy-cors.ts';
import { validateJwt } from './policy-jwt.ts';
import {
  applyHeaderAction,
  attrValue,
  boolAttr,
  buildPipelines,
  CONTINUE,
  evalValue,
  intAttr,
  type GatewayState,
  type LastError,
  type Outcome,
  type PolicyContext,
  type PolicyHandler,
} from './policy-runtime.ts';
import type { Section, Statement } from './policy-xml.ts';
import { compileTemplate, notFoundResponse, OPERATION_NOT_FOUND_MESSAGE, parseQuery, type RouteMatch } from './route.ts';
import { attr, childElements, textOf, type XmlElement } from './xml.ts';

export { validatePolicyXml, type PolicyValidationError, type ValidateOptions } from './policy-validate.ts';
export { newGatewayState, type GatewayState, type LastError, type PolicyContext } from './policy-runtime.ts';

export interface ContextOptions {
  state: GatewayState;
  now?: () => number;
  requestId?: string;
}

export interface Access {
  subscription?: SubscriptionContract;
  product?: ProductContract;
  key?: string;
}

export const isPreflightRequest = (req: GatewayRequest): boolean =>
  eqi(req.method, 'OPTIONS') && headerValue(req.headers, 'origin') !== undefined && headerValue(req.headers, 'access-control-request-method') !== undefined;

export function createPolicyContext(config: GatewayConfig, original: GatewayRequest, route: RouteMatch, access: Access, opts: ContextOptions): PolicyContext {
  return {
    config,
    original,
    route,
    subscription: access.subscription,
    subscriptionKey: access.key,
    product: access.product,
    request: { method: original.method, path: route.backendPath, query: route.query.map((q) => ({ ...q })), headers: cloneHeaders(original.headers), body: original.body },
    pipelines: buildPipelines(config, route, access.product),
    variables: new Map(),
    state: opts.state,
    now: opts.now ?? Date.now,
    requestId: opts.requestId ?? randomUUID(),
    backend: {},
    forward: { timeoutSeconds: 300, followRedirects: false, failOnErrorStatusCode: false },
    responseHeaders: {},
    preflight: isPreflightRequest(original) && !eqi(route.operation.properties.method, 'OPTIONS'),
    flags: new Set(),
  };
}

const inRequestPhase = (section: Section): boolean => section === 'inbound' || section === 'backend';

const setHeader: PolicyHandler = (el, ctx, _stmt, section) => {
  const target = inRequestPhase(section) ? ctx.request.headers : ctx.response?.headers;
  if (!target) return CONTINUE;
  const values = childElements(el)
    .filter((c) => c.name === 'value')
    .map((c) => evalValue(ctx, textOf(c)));
  applyHeaderAction(target, attrValue(ctx, el, 'name') ?? '', (attrValue(ctx, el, 'exists-action') ?? 'override').toLowerCase(), values);
  return CONTINUE;
};

const setQueryParameter: PolicyHandler = (el, ctx) => {
  const name = attrValue(ctx, el, 'name') ?? '';
  const action = (attrValue(ctx, el, 'exists-action') ?? 'override').toLowerCase();
  const values = childElements(el)
    .filter((c) => c.name === 'value')
    .map((c) => evalValue(ctx, textOf(c)));
  const q = ctx.request.query;
  const exists = q.some((p) => p.name === name);
  if (action === 'delete' || action === 'override') ctx.request.query = q.filter((p) => p.name !== name);
  if (action === 'delete' || (action === 'skip' && exists)) return CONTINUE;
  ctx.request.query.push(...values.map((value) => ({ name, value })));
  return CONTINUE;
};

const setBackendService: PolicyHandler = (el, ctx) => {
  const backendId = attrValue(ctx, el, 'backend-id');
  if (backendId !== undefined) ctx.backend = { backendId };
  // set-backend-service-policy.md usage note: once a backend-id is inherited, only another backend-id overrides it.
  else if (ctx.backend.backendId === undefined) ctx.backend = { baseUrl: attrValue(ctx, el, 'base-url') };
  return CONTINUE;
};

const setVariable: PolicyHandler = (el, ctx) => {
  ctx.variables.set(attr(el, 'name') ?? '', attrValue(ctx, el, 'value') ?? '');
  return CONTINUE;
};

const setStatus: PolicyHandler = (el, ctx) => {
  if (ctx.response) {
    ctx.response.status = intAttr(ctx, el, 'code', ctx.response.status);
    ctx.response.reason = attrValue(ctx, el, 'reason');
  }
  return CONTINUE;
};

const setBody: PolicyHandler = (el, ctx, _stmt, section) => {
  const text = evalValue(ctx, textOf(el));
  if (inRequestPhase(section)) ctx.request.body = { kind: 'text', text };
  else if (ctx.response) ctx.response.body = { kind: 'text', text };
  return CONTINUE;
};

/** rewrite-uri (rewrite-uri-policy.md): new backend-relative path and query; `{param}` from the operation's template. */
const rewriteUri: PolicyHandler = (el, ctx) => {
  const template = attrValue(ctx, el, 'template') ?? '/';
  const expand = (s: string) => s.replace(/\{([^{}]+)\}/g, (_, p: string) => encodeURIComponent(ctx.route.templateParameters[p] ?? ''));
  const qi = template.indexOf('?');
  const path = expand(qi < 0 ? template : template.slice(0, qi));
  const newQuery = parseQuery(qi < 0 ? '' : template.slice(qi + 1)).map((p) => ({ name: p.name, value: p.value === undefined ? undefined : p.value.replace(/\{([^{}]+)\}/g, (_, x: string) => ctx.route.templateParameters[x] ?? '') }));
  if (boolAttr(ctx, el, 'copy-unmatched-params', true)) {
    const inOriginal = new Set(compileTemplate(ctx.route.operation.properties.urlTemplate).query.map((q) => q.name));
    const inNew = new Set(newQuery.map((q) => q.name));
    newQuery.push(...ctx.request.query.filter((q) => !inOriginal.has(q.name) && !inNew.has(q.name)));
  }
  ctx.request.path = path.startsWith('/') ? path : '/' + path;
  ctx.request.query = newQuery;
  return CONTINUE;
};

const forwardRequest: PolicyHandler = (el, ctx) => {
  ctx.forward = {
    timeoutSeconds: intAttr(ctx, el, 'timeout', 300),
    followRedirects: boolAttr(ctx, el, 'follow-redirects', false),
    failOnErrorStatusCode: boolAttr(ctx, el, 'fail-on-error-status-code', false),
  };
  return { kind: 'forward' };
};

/** return-response: default 200 with no body, shaped by its set-status / set-header / set-body. */
const returnResponse: PolicyHandler = (el, ctx) => {
  const response: GatewayResponse = { status: 200, headers: {}, body: { kind: 'none' } };
  for (const c of childElements(el)) {
    if (c.name === 'set-status') {
      response.status = intAttr(ctx, c, 'code', 200);
      response.reason = attrValue(ctx, c, 'reason');
    } else if (c.name === 'set-header') {
      const values = childElements(c)
        .filter((v) => v.name === 'value')
        .map((v) => evalValue(ctx, textOf(v)));
      applyHeaderAction(response.headers, attrValue(ctx, c, 'name') ?? '', (attrValue(ctx, c, 'exists-action') ?? 'override').toLowerCase(), values);
    } else if (c.name === 'set-body') response.body = { kind: 'text', text: evalValue(ctx, textOf(c)) };
  }
  return { kind: 'respond', response };
};

const mock: PolicyHandler = (el, ctx) => ({
  kind: 'respond',
  response: mockResponse(ctx.route.operation, intAttr(ctx, el, 'status-code', 200), attrValue(ctx, el, 'content-type')),
});

const choose: PolicyHandler = (el, ctx, stmt, section) => {
  const branch = (b: XmlElement) => run(ctx, childElements(b).map((element) => ({ element, scope: stmt.scope })), section);
  for (const c of childElements(el)) {
    if (c.name === 'when' && evalValue(ctx, attr(c, 'condition') ?? '').trim().toLowerCase() === 'true') return branch(c);
    if (c.name === 'otherwise') return branch(c);
  }
  return CONTINUE;
};

export const HANDLERS: Record<string, PolicyHandler> = {
  'set-header': setHeader,
  'set-query-parameter': setQueryParameter,
  'set-backend-service': setBackendService,
  'set-variable': setVariable,
  'set-status': setStatus,
  'set-body': setBody,
  'rewrite-uri': rewriteUri,
  'forward-request': forwardRequest,
  'return-response': returnResponse,
  'mock-response': mock,
  'check-header': checkHeader,
  'ip-filter': ipFilter,
  'rate-limit': rateLimit,
  'validate-jwt': validateJwt,
  cors,
  choose,
};

function run(ctx: PolicyContext, statements: Statement[], section: Section): Outcome {
  for (const stmt of statements) {
    const handler = HANDLERS[stmt.element.name];
    if (!handler) throw new ExpressionError(`The local gateway does not emulate the '${stmt.element.name}' policy.`);
    const o = handler(stmt.element, ctx, stmt, section);
    if (o.kind !== 'continue') return o;
  }
  return CONTINUE;
}

/** Headers gathered along the way (CORS, rate-limit counters) go on whatever response leaves the gateway. */
function finalize(ctx: PolicyContext, response: GatewayResponse): GatewayResponse {
  return { ...response, headers: { ...response.headers, ...cloneHeaders(ctx.responseHeaders) } };
}

function runtimeFailure(ctx: PolicyContext, e: unknown, section: Section): GatewayResponse {
  if (e instanceof ExpressionRuntimeError || e instanceof ExpressionError)
    return evaluateOnError(ctx, internalError(ctx.requestId), { source: 'expression', reason: 'ExpressionValueEvaluationFailure', message: e.message, section });
  if (e instanceof BackendResolutionError) return evaluateOnError(ctx, internalError(ctx.requestId), { source: 'configuration', message: e.message, section });
  throw e;
}

export type InboundResult = { action: 'forward'; request: BackendRequest } | { action: 'respond'; response: GatewayResponse };

export function evaluateInbound(ctx: PolicyContext): InboundResult {
  try {
    if (ctx.preflight) {
      const corsStatements = ctx.pipelines.inbound.filter((s) => s.element.name === 'cors');
      // No cors policy in scope: it is just an OPTIONS request no operation serves.
      if (!corsStatements.length)
        return { action: 'respond', response: evaluateOnError(ctx, notFoundResponse(), { source: 'configuration', reason: 'OperationNotFound', message: OPERATION_NOT_FOUND_MESSAGE }) };
      return { action: 'respond', response: preflightResponse(ctx, corsStatements) };
    }
    let o = run(ctx, ctx.pipelines.inbound, 'inbound');
    if (o.kind === 'continue') o = run(ctx, ctx.pipelines.backend, 'backend');
    switch (o.kind) {
      case 'forward':
        return { action: 'forward', request: buildBackendRequest(ctx) };
      case 'respond':
        return { action: 'respond', response: finalize(ctx, o.response) };
      case 'error':
        return { action: 'respond', response: evaluateOnError(ctx, o.response, o.error) };
      default:
        // No <forward-request /> in the effective backend section: nothing is sent; context.Response stays 200.
        return { action: 'respond', response: finalize(ctx, { status: 200, headers: {}, body: { kind: 'none' } }) };
    }
  } catch (e) {
    return { action: 'respond', response: runtimeFailure(ctx, e, 'inbound') };
  }
}

export function evaluateOutbound(ctx: PolicyContext, backendResponse: GatewayResponse): GatewayResponse {
  ctx.response = { ...backendResponse, headers: cloneHeaders(backendResponse.headers) };
  if (ctx.forward.failOnErrorStatusCode && backendResponse.status >= 400)
    return evaluateOnError(ctx, ctx.response, { source: 'forward-request', reason: 'BackendError', message: `Backend responded with status code ${backendResponse.status}.`, section: 'backend' });
  try {
    const o = run(ctx, ctx.pipelines.outbound, 'outbound');
    if (o.kind === 'respond') return finalize(ctx, o.response);
    if (o.kind === 'error') return evaluateOnError(ctx, o.response, o.error);
    return finalize(ctx, ctx.response);
  } catch (e) {
    return runtimeFailure(ctx, e, 'outbound');
  }
}

/** The backend could not be reached or timed out: APIM answers 500 unless on-error says otherwise. */
export function evaluateBackendFailure(ctx: PolicyContext, message: string, reason: 'BackendConnectionFailure' | 'Timeout' = 'BackendConnectionFailure'): GatewayResponse {
  return evaluateOnError(ctx, internalError(ctx.requestId), { source: 'forward-request', reason, message, section: 'backend' });
}

/** Runs the effective on-error section over `response` (the error's response). */
export function evaluateOnError(ctx: PolicyContext, response: GatewayResponse, error: LastError): GatewayResponse {
  ctx.lastError = error;
  ctx.response = { ...response, headers: cloneHeaders(response.headers) };
  try {
    const o = run(ctx, ctx.pipelines.onError, 'on-error');
    if (o.kind === 'respond') return finalize(ctx, o.response);
    return finalize(ctx, ctx.response);
  } catch {
    return finalize(ctx, internalError(ctx.requestId));
  }
}
