// Request → API → operation, as the APIM gateway matches them.
// - API: its URL suffix (`properties.path`) must be a case-insensitive, segment-aligned prefix of the request
//   path; the longest one wins; path '' is the root API. Only current, online revisions are routable.
// - Operation: method (case-insensitive) + urlTemplate. `{name}` matches one segment, `{*name}` the rest of the
//   path. A query part (`/getter?message={message}`) requires those query parameters to be present: required
//   query parameters of an OpenAPI import become template parameters by default
//   (translateRequiredQueryParameters = template), and a request without one gets 404 Resource not found
//   (Azure/api-management-developer-portal#1241, #2761). The most specific template wins: no wildcard, then
//   more literal segments, then more query constraints.
// - No match → `{ "statusCode": 404, "message": "Resource not found" }`; the LastError is source
//   `configuration`, reason `OperationNotFound` (api-management-error-handling-policies.md).
import { apimError, eqi, type ApiContract, type GatewayConfig, type GatewayResponse, type OperationContract } from './model.ts';

export interface QueryParam {
  name: string;
  value: string | undefined;
}

export interface RouteMatch {
  api: ApiContract;
  operation: OperationContract;
  /** Values of the urlTemplate's parameters (path and template-query), decoded (`context.Request.MatchedParameters`). */
  templateParameters: Record<string, string>;
  /** Request path minus the API path, as received (e.g. `/resource/1`, `/` or `''` for the API root). */
  backendPath: string;
  /** The request's query parameters, decoded, in order. */
  query: QueryParam[];
}

export type RouteResult =
  | { ok: true; match: RouteMatch }
  | { ok: false; reason: 'OperationNotFound'; api?: ApiContract; query: QueryParam[]; response: GatewayResponse };

export const OPERATION_NOT_FOUND_MESSAGE = 'Unable to match incoming request to an operation.';

export function notFoundResponse(): GatewayResponse {
  return apimError(404, 'Resource not found');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const decodeQueryPart = (s: string): string => safeDecode(s.replace(/\+/g, ' '));

export function parseQuery(raw: string): QueryParam[] {
  if (!raw) return [];
  return raw
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=');
      return i < 0 ? { name: decodeQueryPart(p), value: undefined } : { name: decodeQueryPart(p.slice(0, i)), value: decodeQueryPart(p.slice(i + 1)) };
    });
}

export function serializeQuery(q: QueryParam[]): string {
  return q.map((p) => (p.value === undefined ? encodeURIComponent(p.name) : `${encodeURIComponent(p.name)}=${encodeURIComponent(p.value)}`)).join('&');
}

export function splitUrl(url: string): { path: string; rawQuery: string } {
  const noFragment = url.split('#')[0];
  const i = noFragment.indexOf('?');
  return i < 0 ? { path: noFragment || '/', rawQuery: '' } : { path: noFragment.slice(0, i) || '/', rawQuery: noFragment.slice(i + 1) };
}

const segmentsOf = (p: string): string[] => {
  const s = p.replace(/^\/+/, '');
  return s === '' ? [] : s.split('/');
};

export function apiSegments(api: ApiContract): string[] {
  const p = (api.properties.path ?? '').replace(/^\/+|\/+$/g, '');
  return p === '' ? [] : p.split('/');
}

export function isRoutable(api: ApiContract): boolean {
  return api.properties.isCurrent !== false && api.properties.isOnline !== false;
}

/** The API whose path is the longest segment-aligned, case-insensitive prefix of `path`. */
export function matchApi(config: GatewayConfig, path: string, protocol: 'http' | 'https'): { api: ApiContract; rest: string[] } | undefined {
  const req = segmentsOf(path);
  let best: { api: ApiContract; rest: string[]; len: number } | undefined;
  for (const api of config.apis) {
    if (!isRoutable(api)) continue;
    const protocols = api.properties.protocols;
    if (protocols && protocols.length && !protocols.some((p) => eqi(p, protocol))) continue;
    const segs = apiSegments(api);
    if (segs.length > req.length) continue;
    if (!segs.every((s, i) => eqi(safeDecode(req[i]), s))) continue;
    if (!best || segs.length > best.len) best = { api, rest: req.slice(segs.length), len: segs.length };
  }
  return best && { api: best.api, rest: best.rest };
}

interface CompiledTemplate {
  regex: RegExp;
  params: string[];
  query: Array<{ name: string; param?: string; literal?: string }>;
  /** Sort key: higher is more specific. */
  rank: [number, number, number, number];
}

const cache = new Map<string, CompiledTemplate>();

export function compileTemplate(urlTemplate: string): CompiledTemplate {
  const hit = cache.get(urlTemplate);
  if (hit) return hit;
  const qi = urlTemplate.indexOf('?');
  const pathPart = qi < 0 ? urlTemplate : urlTemplate.slice(0, qi);
  const queryPart = qi < 0 ? '' : urlTemplate.slice(qi + 1);
  const params: string[] = [];
  let literalSegments = 0;
  let wildcard = 0;
  const segs = segmentsOf(pathPart);
  const parts = segs.map((seg, i) => {
    const wild = /^\{\*([^{}]+)\}$/.exec(seg);
    if (wild && i === segs.length - 1) {
      params.push(wild[1]);
      wildcard = 1;
      return '(.*)';
    }
    if (seg === '*' && i === segs.length - 1) {
      wildcard = 1;
      return '.*';
    }
    if (!seg.includes('{')) literalSegments++;
    let out = '';
    let last = 0;
    for (const m of seg.matchAll(/\{([^{}]+)\}/g)) {
      out += escapeRe(seg.slice(last, m.index));
      params.push(m[1]);
      out += '([^/]+)';
      last = m.index! + m[0].length;
    }
    return out + escapeRe(seg.slice(last));
  });
  const body = parts.length ? '/' + parts.join('/') : '';
  // A trailing slash on the request is tolerated, as .NET UriTemplate matching does.
  const regex = new RegExp(`^${body}/?$`, 'i');
  const query = queryPart
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const [name, value] = p.split('=');
      const m = value === undefined ? null : /^\{([^{}]+)\}$/.exec(value);
      return m ? { name, param: m[1] } : { name, literal: value };
    });
  const compiled: CompiledTemplate = { regex, params, query, rank: [1 - wildcard, literalSegments, query.length, pathPart.length] };
  cache.set(urlTemplate, compiled);
  return compiled;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function matchOperation(op: OperationContract, opPath: string, query: QueryParam[]): Record<string, string> | undefined {
  const t = compileTemplate(op.properties.urlTemplate);
  const m = t.regex.exec(opPath);
  if (!m) return undefined;
  const values: Record<string, string> = {};
  t.params.forEach((p, i) => (values[p] = safeDecode(m[i + 1] ?? '')));
  for (const q of t.query) {
    const found = query.find((x) => x.name === q.name);
    if (!found) return undefined;
    if (q.param !== undefined) values[q.param] = found.value ?? '';
    else if (q.literal !== undefined && found.value !== q.literal) return undefined;
  }
  return values;
}

function compareRank(a: [number, number, number, number], b: [number, number, number, number]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return b[i] - a[i];
  return 0;
}

/**
 * Routes a request. `matchMethod` overrides the method used to pick the operation: a CORS preflight
 * (`OPTIONS` + `Access-Control-Request-Method`) is matched against the operation it asks about.
 */
export function routeRequest(config: GatewayConfig, req: { method: string; url: string; protocol: 'http' | 'https' }, matchMethod?: string): RouteResult {
  const { path, rawQuery } = splitUrl(req.url);
  const query = parseQuery(rawQuery);
  const apiHit = matchApi(config, path, req.protocol);
  if (!apiHit) return { ok: false, reason: 'OperationNotFound', query, response: notFoundResponse() };
  const backendPath = apiHit.rest.length ? '/' + apiHit.rest.join('/') : '';
  const opPath = backendPath || '/';
  const method = matchMethod ?? req.method;
  const candidates = apiHit.api.operations
    .filter((op) => eqi(op.properties.method, method) || op.properties.method === '*')
    .map((op) => ({ op, values: matchOperation(op, opPath, query) }))
    .filter((c): c is { op: OperationContract; values: Record<string, string> } => c.values !== undefined)
    .sort((a, b) => {
      const exact = Number(b.op.properties.method !== '*') - Number(a.op.properties.method !== '*');
      return exact || compareRank(compileTemplate(a.op.properties.urlTemplate).rank, compileTemplate(b.op.properties.urlTemplate).rank);
    });
  if (!candidates.length) return { ok: false, reason: 'OperationNotFound', api: apiHit.api, query, response: notFoundResponse() };
  return { ok: true, match: { api: apiHit.api, operation: candidates[0].op, templateParameters: candidates[0].values, backendPath, query } };
}
