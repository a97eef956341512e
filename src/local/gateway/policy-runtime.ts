// The state a request carries through the policy pipeline, and the helpers every policy implementation shares
// (attribute values with expressions, the expression `context` object, outcomes).
import { compileExpression, ExprDict, stringify, type CompiledExpression } from './expressions.ts';
import { findNamedValue, headerValue, type BodyRef, type GatewayConfig, type GatewayRequest, type GatewayResponse, type HeaderMap, type PolicyContract, type ProductContract, type SubscriptionContract } from './model.ts';
import { effectivePolicies, parsePolicyXml, substituteNamedValues, toDocument, DEFAULT_GLOBAL_POLICY, type EffectivePolicies, type PolicyDocument, type ScopedDocuments, type Section, type Statement } from './policy-xml.ts';
import type { QueryParam, RouteMatch } from './route.ts';
import { attr, type XmlElement } from './xml.ts';

/** Rate-limit counters (accepted-call timestamps per counter key), owned by the caller so tests control them. */
export interface GatewayState {
  rateLimits: Map<string, number[]>;
}

export const newGatewayState = (): GatewayState => ({ rateLimits: new Map() });

/** `context.LastError` (api-management-error-handling-policies.md). */
export interface LastError {
  source: string;
  reason?: string;
  message: string;
  scope?: string;
  section?: Section;
  path?: string;
  policyId?: string;
}

/** The request as it will be forwarded: policies edit this copy, never the original. */
export interface WorkingRequest {
  method: string;
  /** Backend-relative path (request path minus the API path, or what rewrite-uri made of it). */
  path: string;
  query: QueryParam[];
  headers: HeaderMap;
  body: BodyRef;
}

export interface PolicyContext {
  config: GatewayConfig;
  original: GatewayRequest;
  route: RouteMatch;
  subscription?: SubscriptionContract;
  subscriptionKey?: string;
  product?: ProductContract;
  request: WorkingRequest;
  pipelines: EffectivePolicies;
  variables: Map<string, unknown>;
  state: GatewayState;
  now: () => number;
  requestId: string;
  /** Set by set-backend-service. */
  backend: { baseUrl?: string; backendId?: string };
  /** Options of the forward-request that sends the request. */
  forward: { timeoutSeconds: number; followRedirects: boolean; failOnErrorStatusCode: boolean };
  /** Headers that end up on the response whatever produced it (CORS, rate-limit counters). */
  responseHeaders: HeaderMap;
  /** The response being built (outbound, on-error). */
  response?: GatewayResponse;
  lastError?: LastError;
  /** A CORS preflight: only cors policies run (cors-policy.md usage notes). */
  preflight: boolean;
  /** Per-request markers (e.g. a cors policy already matched). */
  flags: Set<string>;
}

export type Outcome =
  | { kind: 'continue' }
  | { kind: 'respond'; response: GatewayResponse }
  | { kind: 'error'; error: LastError; response: GatewayResponse }
  | { kind: 'forward' };

export const CONTINUE: Outcome = { kind: 'continue' };

export type PolicyHandler = (el: XmlElement, ctx: PolicyContext, stmt: Statement, section: Section) => Outcome;

/** Loads one scope's policy: parse (rawxml tolerates unescaped expressions) and substitute named values. */
export function loadDocument(config: GatewayConfig, policy: PolicyContract | undefined): PolicyDocument | undefined {
  if (!policy) return undefined;
  const raw = policy.properties.format === 'rawxml' || policy.properties.format === 'rawxml-link';
  const root = parsePolicyXml(policy.properties.value, raw);
  return toDocument(substituteNamedValues(root, (n) => findNamedValue(config, n)?.properties.value).root);
}

/**
 * The service-scope document. Absent, it is APIM's default global policy; a document without a backend section
 * keeps the default `<forward-request />` there (otherwise nothing would ever reach a backend).
 */
export function globalDocument(config: GatewayConfig): PolicyDocument {
  const dflt = toDocument(parsePolicyXml(DEFAULT_GLOBAL_POLICY, false));
  const doc = loadDocument(config, config.policy);
  if (!doc) return dflt;
  return doc.sections.backend ? doc : { ...doc, sections: { ...doc.sections, backend: dflt.sections.backend } };
}

export function scopedDocuments(config: GatewayConfig, route: RouteMatch, product: ProductContract | undefined): ScopedDocuments {
  return {
    global: globalDocument(config),
    product: product ? loadDocument(config, product.policy) : undefined,
    api: loadDocument(config, route.api.policy),
    operation: loadDocument(config, route.operation.policy),
  };
}

export function buildPipelines(config: GatewayConfig, route: RouteMatch, product: ProductContract | undefined): EffectivePolicies {
  return effectivePolicies(scopedDocuments(config, route, product));
}

const compiled = new Map<string, CompiledExpression>();

/** Evaluates a raw attribute/text value: a whole-value policy expression, or the literal itself. */
export function evalValue(ctx: PolicyContext, raw: string): string {
  if (!/^\s*@[({]/.test(raw)) return raw;
  let c = compiled.get(raw);
  if (!c) {
    const r = compileExpression(raw);
    if (r instanceof Error) throw r;
    c = r;
    if (compiled.size > 1000) compiled.clear();
    compiled.set(raw, c);
  }
  return stringify(c.evaluate(expressionContext(ctx)));
}

export function attrValue(ctx: PolicyContext, el: XmlElement, name: string): string | undefined {
  const raw = attr(el, name);
  return raw === undefined ? undefined : evalValue(ctx, raw);
}

export function boolAttr(ctx: PolicyContext, el: XmlElement, name: string, dflt: boolean): boolean {
  const v = attrValue(ctx, el, name);
  return v === undefined ? dflt : v.trim().toLowerCase() === 'true' || v.trim() === '1';
}

export function intAttr(ctx: PolicyContext, el: XmlElement, name: string, dflt: number): number {
  const v = attrValue(ctx, el, name);
  const n = v === undefined ? NaN : Number.parseInt(v, 10);
  return Number.isNaN(n) ? dflt : n;
}

function urlObject(scheme: string, host: string, path: string, query: QueryParam[]): Record<string, unknown> {
  const [hostname, port] = host.split(':');
  return {
    Scheme: scheme,
    Host: hostname,
    Port: port ? Number(port) : scheme === 'https' ? 443 : 80,
    Path: path,
    Query: new ExprDict((k) => {
      const vs = query.filter((q) => q.name.toLowerCase() === k.toLowerCase()).map((q) => q.value ?? '');
      return vs.length ? vs.join(',') : undefined;
    }),
    QueryString: query.length ? '?' + query.map((q) => (q.value === undefined ? q.name : `${q.name}=${q.value}`)).join('&') : '',
  };
}

/** The `context` object policy expressions see. */
export function expressionContext(ctx: PolicyContext): Record<string, unknown> {
  const { route, config } = ctx;
  const orig = ctx.original;
  const [origPath, origQuery] = orig.url.split('?');
  const origQ = (origQuery ?? '').split('&').filter(Boolean).map((p) => {
    const [n, ...v] = p.split('=');
    return { name: decodeURIComponent(n), value: v.length ? decodeURIComponent(v.join('=')) : undefined };
  });
  const backendUrl = (() => {
    try {
      return new URL(ctx.backend.baseUrl ?? route.api.properties.serviceUrl ?? `${orig.protocol}://${orig.host}`);
    } catch {
      return undefined;
    }
  })();
  const basePath = backendUrl ? backendUrl.pathname.replace(/\/$/, '') : '';
  const response = ctx.response;
  return {
    RequestId: ctx.requestId,
    Request: {
      Method: ctx.request.method,
      IpAddress: orig.clientIp,
      Headers: new ExprDict((k) => headerValue(ctx.request.headers, k)),
      Url: urlObject(backendUrl?.protocol.replace(':', '') ?? orig.protocol, backendUrl?.host ?? orig.host, basePath + ctx.request.path, ctx.request.query),
      OriginalUrl: urlObject(orig.protocol, orig.host, origPath, origQ),
      MatchedParameters: new ExprDict((k) => route.templateParameters[k]),
    },
    Response: response ? { StatusCode: response.status, StatusReason: response.reason ?? '', Headers: new ExprDict((k) => headerValue(response.headers, k)) } : null,
    Subscription: ctx.subscription
      ? { Id: ctx.subscription.name, Name: ctx.subscription.properties.displayName ?? ctx.subscription.name, Key: ctx.subscriptionKey ?? null, PrimaryKey: ctx.subscription.properties.primaryKey ?? null, SecondaryKey: ctx.subscription.properties.secondaryKey ?? null }
      : null,
    Product: ctx.product ? { Id: ctx.product.name, Name: ctx.product.properties.displayName } : null,
    Api: { Id: route.api.name, Name: route.api.properties.displayName ?? route.api.name, Path: route.api.properties.path, Revision: route.api.properties.apiRevision ?? '1', Version: '' },
    Operation: { Id: route.operation.name, Name: route.operation.properties.displayName ?? route.operation.name, Method: route.operation.properties.method, UrlTemplate: route.operation.properties.urlTemplate },
    Deployment: { Region: config.region ?? '', ServiceName: config.serviceName, ServiceId: config.serviceName, GatewayId: 'managed' },
    Variables: new ExprDict((k) => (ctx.variables.has(k) ? ctx.variables.get(k) : undefined)),
    LastError: ctx.lastError
      ? { Source: ctx.lastError.source, Reason: ctx.lastError.reason ?? '', Message: ctx.lastError.message, Scope: ctx.lastError.scope ?? '', Section: ctx.lastError.section ?? '', Path: ctx.lastError.path ?? '', PolicyId: ctx.lastError.policyId ?? '' }
      : null,
    User: null,
  };
}

/** A policy failure: APIM's JSON error body, LastError filled as the error-handling page lists it. */
export function policyError(stmt: Statement, section: Section, response: GatewayResponse, reason: string, message: string): Outcome {
  return {
    kind: 'error',
    response,
    error: { source: stmt.element.name, reason, message, scope: stmt.scope, section, policyId: attr(stmt.element, 'id') },
  };
}

/** Sets/merges headers according to set-header's exists-action (override | skip | append | delete). */
export function applyHeaderAction(headers: HeaderMap, name: string, action: string, values: string[]): void {
  const k = name.toLowerCase();
  switch (action) {
    case 'delete':
      delete headers[k];
      return;
    case 'skip':
      if (!headers[k]) headers[k] = values;
      return;
    case 'append':
      if (values.length) headers[k] = [...(headers[k] ?? []), ...values];
      return;
    default:
      // "only listed values will be set in the result"; with no <value> the header is set empty.
      headers[k] = values.length ? values : [''];
  }
}
