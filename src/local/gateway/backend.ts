// The request APIM sends to the backend, once inbound and backend policies have run.
// - Base URL: set-backend-service (backend-id → that backend entity's url; base-url) else the API's serviceUrl;
//   then the backend-relative path (request path minus the API path, or rewrite-uri's result) and the query.
// - A backend entity's credentials (credentials.header / .query, name → values, and authorization
//   {scheme, parameter}) are added, named values resolved: this is how `x-functions-key: {{function-app-key}}`
//   reaches the function. Credentials apply only when the backend entity is used (set-backend-service
//   backend-id); a plain serviceUrl carries none.
// - The subscription key is NOT removed: "When included in a request header or query parameter, the
//   subscription key by default is passed to the backend" (api-management-subscriptions.md, note added in
//   MicrosoftDocs/azure-docs 0ed8f9b); strip it with set-header / set-query-parameter exists-action="delete".
// - X-Forwarded-For gets the caller's IP appended (APIM adds it and policies cannot remove it — Microsoft Q&A
//   5774313). APIM documents no X-Forwarded-Host / X-Forwarded-Proto, so none are added. Host becomes the
//   backend's host. Hop-by-hop headers are not forwarded. Method, other headers and body are kept.
import { eqi, findNamedValue, type BackendContract, type BodyRef, type GatewayConfig, type HeaderMap } from './model.ts';
import type { PolicyContext } from './policy-runtime.ts';
import { NAMED_VALUE_REF } from './policy-xml.ts';
import { serializeQuery, type QueryParam } from './route.ts';

export interface BackendRequest {
  method: string;
  /** Absolute URL. */
  url: string;
  /** Ready for node:http: multi-valued headers joined as APIM joins them (see joinHeaders). */
  headers: Record<string, string | string[]>;
  body: BodyRef;
  timeoutMs: number;
  followRedirects: boolean;
  /** The backend entity used, if any. */
  backend?: BackendContract;
}

export class BackendResolutionError extends Error {}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

/** Headers whose values may contain commas or dates: sent as separate header lines (set-header-policy.md). */
const NOT_JOINED = new Set(['user-agent', 'www-authenticate', 'proxy-authenticate', 'cookie', 'set-cookie', 'warning', 'date', 'expires', 'if-modified-since', 'if-unmodified-since', 'last-modified', 'retry-after']);

/** "Multiple values of a header are concatenated to a CSV string", except the listed standard headers. */
export function joinHeaders(h: HeaderMap): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) {
    if (!v.length) continue;
    out[k] = NOT_JOINED.has(k) ? (v.length === 1 ? v[0] : [...v]) : v.join(',');
  }
  return out;
}

/** Replaces `{{displayName}}` with named values (backend credentials are stored with the references). */
export function resolveNamedValueRefs(config: GatewayConfig, text: string): string {
  return text.replace(NAMED_VALUE_REF, (m, name: string) => findNamedValue(config, name)?.properties.value ?? m);
}

export function resolveBase(ctx: PolicyContext): { base: string; backend?: BackendContract } {
  const { backendId, baseUrl } = ctx.backend;
  if (backendId !== undefined) {
    const backend = ctx.config.backends.find((b) => eqi(b.name, backendId));
    if (!backend) throw new BackendResolutionError(`Backend with id '${backendId}' could not be found.`);
    return { base: resolveNamedValueRefs(ctx.config, backend.properties.url), backend };
  }
  const base = baseUrl ?? ctx.route.api.properties.serviceUrl;
  if (!base) throw new BackendResolutionError(`API '${ctx.route.api.name}' has no backend service URL.`);
  return { base };
}

function setQuery(q: QueryParam[], name: string, values: string[]): QueryParam[] {
  return [...q.filter((p) => p.name !== name), ...values.map((value) => ({ name, value }))];
}

export function buildBackendRequest(ctx: PolicyContext): BackendRequest {
  const { base, backend } = resolveBase(ctx);
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    throw new BackendResolutionError(`Backend URL '${base}' is not a valid absolute URL.`);
  }
  const basePath = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  const path = basePath + ctx.request.path || '/';
  const baseQuery: QueryParam[] = [...u.searchParams].map(([name, value]) => ({ name, value }));
  let query = [...baseQuery, ...ctx.request.query];
  const headers: HeaderMap = {};
  for (const [k, v] of Object.entries(ctx.request.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = [...v];
  const creds = backend?.properties.credentials;
  for (const [name, values] of Object.entries(creds?.query ?? {}))
    query = setQuery(
      query,
      name,
      values.map((v) => resolveNamedValueRefs(ctx.config, v)),
    );
  for (const [name, values] of Object.entries(creds?.header ?? {})) headers[name.toLowerCase()] = values.map((v) => resolveNamedValueRefs(ctx.config, v));
  if (creds?.authorization) headers['authorization'] = [`${creds.authorization.scheme} ${resolveNamedValueRefs(ctx.config, creds.authorization.parameter)}`];
  headers['host'] = [u.host];
  headers['x-forwarded-for'] = [[...(headers['x-forwarded-for'] ?? []), ctx.original.clientIp].join(', ')];
  const body = ctx.request.body;
  if (body.kind === 'text') headers['content-length'] = [String(Buffer.byteLength(body.text))];
  else if (body.kind === 'none') delete headers['content-length'];
  const qs = serializeQuery(query);
  return {
    method: ctx.request.method,
    url: `${u.protocol}//${u.host}${path}${qs ? '?' + qs : ''}`,
    headers: joinHeaders(headers),
    body,
    timeoutMs: ctx.forward.timeoutSeconds * 1000,
    followRedirects: ctx.forward.followRedirects,
    backend,
  };
}
