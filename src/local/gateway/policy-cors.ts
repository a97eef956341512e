// cors (cors-policy.md).
// - Preflight (OPTIONS + Origin + Access-Control-Request-Method, and no OPTIONS operation matched): only the cors
//   policies of the effective inbound section run. A match answers 200 with the Access-Control-Allow-* headers;
//   no match answers an empty 200 — at once if terminate-unmatched-request is true, else after trying the next
//   in-scope cors policy.
// - Actual request with an Origin: a match adds Access-Control-Allow-Origin (+ -Credentials, -Expose-Headers) to
//   the response; no match on GET/HEAD with terminate-unmatched-request="true" ends with an empty 200, otherwise
//   the request proceeds without CORS headers. Only the first matching cors policy applies.
// - allowed-methods absent → GET and POST; `*` → any. allowed-origins `*` → any; an origin URI without port
//   means 80/443. allowed-headers `*` → any.
import { headerValue, type GatewayResponse, type HeaderMap } from './model.ts';
import { attrValue, boolAttr, CONTINUE, evalValue, type PolicyContext, type PolicyHandler } from './policy-runtime.ts';
import type { Statement } from './policy-xml.ts';
import { attr, childElements, textOf, type XmlElement } from './xml.ts';

function normalizeOrigin(o: string): string {
  try {
    const u = new URL(o.trim());
    const port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
    return `${u.protocol}//${u.hostname}:${port}`.toLowerCase();
  } catch {
    return o.trim().toLowerCase();
  }
}

function items(ctx: PolicyContext, el: XmlElement, container: string, item: string): string[] | undefined {
  const c = childElements(el).find((x) => x.name === container);
  if (!c) return undefined;
  return childElements(c)
    .filter((x) => x.name === item)
    .map((x) => evalValue(ctx, textOf(x)).trim());
}

interface CorsMatch {
  allowOrigin: string;
  credentials: boolean;
}

function matchOrigin(ctx: PolicyContext, el: XmlElement, origin: string): CorsMatch | undefined {
  const origins = items(ctx, el, 'allowed-origins', 'origin') ?? [];
  const credentials = boolAttr(ctx, el, 'allow-credentials', false);
  if (origins.includes('*')) return { allowOrigin: credentials ? origin : '*', credentials };
  const want = normalizeOrigin(origin);
  return origins.some((o) => normalizeOrigin(o) === want) ? { allowOrigin: origin, credentials } : undefined;
}

function methodAllowed(ctx: PolicyContext, el: XmlElement, method: string): boolean {
  const methods = items(ctx, el, 'allowed-methods', 'method') ?? ['GET', 'POST'];
  return methods.includes('*') || methods.some((m) => m.toUpperCase() === method.toUpperCase());
}

function headersAllowed(ctx: PolicyContext, el: XmlElement, requested: string[]): boolean {
  const allowed = (items(ctx, el, 'allowed-headers', 'header') ?? []).map((h) => h.toLowerCase());
  return allowed.includes('*') || requested.every((h) => allowed.includes(h.toLowerCase()));
}

const emptyOk = (): GatewayResponse => ({ status: 200, headers: {}, body: { kind: 'none' } });

/** Answers a CORS preflight from the effective inbound cors policies. */
export function preflightResponse(ctx: PolicyContext, statements: Statement[]): GatewayResponse {
  const origin = headerValue(ctx.original.headers, 'origin') ?? '';
  const method = headerValue(ctx.original.headers, 'access-control-request-method') ?? '';
  const requestedHeaders = (headerValue(ctx.original.headers, 'access-control-request-headers') ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (const { element: el } of statements) {
    const m = matchOrigin(ctx, el, origin);
    if (m && methodAllowed(ctx, el, method) && headersAllowed(ctx, el, requestedHeaders)) {
      const headers: HeaderMap = { 'access-control-allow-origin': [m.allowOrigin], 'access-control-allow-methods': [method] };
      if (m.credentials) headers['access-control-allow-credentials'] = ['true'];
      if (requestedHeaders.length) headers['access-control-allow-headers'] = [requestedHeaders.join(',')];
      const methods = childElements(el).find((x) => x.name === 'allowed-methods');
      const maxAge = methods && attr(methods, 'preflight-result-max-age');
      if (maxAge !== undefined) headers['access-control-max-age'] = [evalValue(ctx, maxAge)];
      return { status: 200, headers, body: { kind: 'none' } };
    }
    if (boolAttr(ctx, el, 'terminate-unmatched-request', false)) return emptyOk();
  }
  return emptyOk();
}

/** The cors policy on an actual (non-preflight) request. */
export const cors: PolicyHandler = (el, ctx) => {
  if (ctx.flags.has('cors-matched')) return CONTINUE;
  const origin = headerValue(ctx.original.headers, 'origin');
  if (!origin) return CONTINUE;
  const m = matchOrigin(ctx, el, origin);
  if (m && methodAllowed(ctx, el, ctx.original.method)) {
    ctx.flags.add('cors-matched');
    ctx.responseHeaders['access-control-allow-origin'] = [m.allowOrigin];
    if (m.credentials) ctx.responseHeaders['access-control-allow-credentials'] = ['true'];
    const expose = items(ctx, el, 'expose-headers', 'header');
    if (expose?.length) ctx.responseHeaders['access-control-expose-headers'] = [expose.join(',')];
    return CONTINUE;
  }
  const simple = ['GET', 'HEAD'].includes(ctx.original.method.toUpperCase());
  if (simple && attrValue(ctx, el, 'terminate-unmatched-request')?.toLowerCase() === 'true') return { kind: 'respond', response: emptyOk() };
  return CONTINUE;
};
