// Access-restriction policies: check-header, ip-filter, rate-limit.
// Failure responses are APIM's `{ "statusCode", "message" }` JSON; LastError source/reason/message follow the
// "Predefined errors for policies" table of api-management-error-handling-policies.md.
import { apimError, type HeaderMap } from './model.ts';
import { attrValue, boolAttr, CONTINUE, evalValue, intAttr, policyError, type PolicyContext, type PolicyHandler } from './policy-runtime.ts';
import type { Scope } from './policy-xml.ts';
import { attr, childElements, textOf } from './xml.ts';

/** check-header (check-header-policy.md): the header must exist and, if values are listed, match one. */
export const checkHeader: PolicyHandler = (el, ctx, stmt, section) => {
  const name = attrValue(ctx, el, 'name') ?? '';
  const code = intAttr(ctx, el, 'failed-check-httpcode', 401);
  const fail = (reason: string, message: string) => policyError(stmt, section, apimError(code, attrValue(ctx, el, 'failed-check-error-message') ?? ''), reason, message);
  const present = ctx.request.headers[name.toLowerCase()];
  if (!present || !present.length) return fail('HeaderNotFound', `Header ${name} was not found in the request. Access denied.`);
  const allowed = childElements(el)
    .filter((c) => c.name === 'value')
    .map((c) => evalValue(ctx, textOf(c)));
  if (!allowed.length) return CONTINUE;
  const ignoreCase = boolAttr(ctx, el, 'ignore-case', false);
  const norm = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  const actual = present.join(',');
  const candidates = [actual, ...actual.split(',').map((s) => s.trim())];
  if (candidates.some((v) => allowed.some((a) => norm(a) === norm(v)))) return CONTINUE;
  return fail('HeaderValueNotAllowed', `Header ${name} value of ${actual} is not allowed. Access denied.`);
};

/** An IPv4/IPv6 address as a comparable number, IPv4-mapped IPv6 folded to IPv4; undefined if unparsable. */
export function parseIp(raw: string): { v: 4 | 6; n: bigint } | undefined {
  let s = raw.trim().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  if (mapped) s = mapped[1];
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { v: 4, n: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!/^[0-9a-f:]+$/i.test(s) || !s.includes(':')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return { v: 6, n: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

/** ip-filter (ip-filter-policy.md): allow → the caller must be listed; forbid → it must not be. 403 otherwise. */
export const ipFilter: PolicyHandler = (el, ctx, stmt, section) => {
  // Body observed from APIM's ip-filter: { "statusCode": 403, "message": "Forbidden" }.
  const forbidden = apimError(403, 'Forbidden');
  const caller = parseIp(ctx.original.clientIp);
  if (!caller) return policyError(stmt, section, forbidden, 'FailedToParseCallerIP', 'Failed to establish IP address for the caller. Access denied.');
  const listed = childElements(el).some((c) => {
    if (c.name === 'address') {
      const a = parseIp(evalValue(ctx, textOf(c)));
      return !!a && a.v === caller.v && a.n === caller.n;
    }
    if (c.name === 'address-range') {
      const from = parseIp(attrValue(ctx, c, 'from') ?? '');
      const to = parseIp(attrValue(ctx, c, 'to') ?? '');
      return !!from && !!to && from.v === caller.v && to.v === caller.v && caller.n >= from.n && caller.n <= to.n;
    }
    return false;
  });
  const action = (attrValue(ctx, el, 'action') ?? '').toLowerCase();
  if (action === 'allow' && !listed) return policyError(stmt, section, forbidden, 'CallerIpNotAllowed', `Caller IP address ${ctx.original.clientIp} is not allowed. Access denied.`);
  if (action === 'forbid' && listed) return policyError(stmt, section, forbidden, 'CallerIpBlocked', 'Caller IP address is blocked. Access denied.');
  return CONTINUE;
};

function scopeEntity(scope: Scope, ctx: PolicyContext): string {
  switch (scope) {
    case 'product':
      return ctx.product?.name ?? '';
    case 'api':
      return ctx.route.api.name;
    case 'operation':
      return `${ctx.route.api.name}/${ctx.route.operation.name}`;
    default:
      return '';
  }
}

const matchesEntity = (el: { attrs: { name: string; value: string }[] }, id: string, displayName: string | undefined): boolean => {
  const byId = el.attrs.find((a) => a.name === 'id')?.value;
  if (byId !== undefined) return byId.toLowerCase() === id.toLowerCase();
  const byName = el.attrs.find((a) => a.name === 'name')?.value;
  return byName !== undefined && (byName === displayName || byName.toLowerCase() === id.toLowerCase());
};

/**
 * rate-limit (rate-limit-policy.md): per subscription, `calls` per sliding `renewal-period` seconds; applied only
 * when the API is called with a subscription key. Nested <api>/<operation> limits apply independently. Over the
 * limit: 429, `Retry-After` (or retry-after-header-name) and `Rate limit is exceeded. Try again in N seconds.`
 * Rejected calls are not counted.
 */
export const rateLimit: PolicyHandler = (el, ctx, stmt, section) => {
  if (!ctx.subscription) return CONTINUE;
  const now = ctx.now();
  const base = `rate-limit|${ctx.subscription.name}|${stmt.scope}:${scopeEntity(stmt.scope, ctx)}`;
  const limit = (e: typeof el, key: string) => ({ key, calls: Number(attr(e, 'calls')), periodMs: Number(attr(e, 'renewal-period')) * 1000 });
  const limits = [limit(el, base)];
  const { api, operation } = ctx.route;
  for (const a of childElements(el).filter((c) => c.name === 'api' && matchesEntity(c, api.name, api.properties.displayName))) {
    limits.push(limit(a, `${base}|api:${api.name}`));
    for (const o of childElements(a).filter((c) => c.name === 'operation' && matchesEntity(c, operation.name, operation.properties.displayName)))
      limits.push(limit(o, `${base}|api:${api.name}|op:${operation.name}`));
  }
  const windows = limits.map((l) => {
    const w = (ctx.state.rateLimits.get(l.key) ?? []).filter((t) => t > now - l.periodMs);
    ctx.state.rateLimits.set(l.key, w);
    return w;
  });
  const exceeded = limits.map((l, i) => (windows[i].length >= l.calls ? Math.max(1, Math.ceil((windows[i][0] + l.periodMs - now) / 1000)) : 0));
  const retryAfter = Math.max(...exceeded);
  const top = limits[0];
  const setCounters = (remaining: number, target: HeaderMap) => {
    const remainingHeader = attr(el, 'remaining-calls-header-name');
    if (remainingHeader) target[remainingHeader.toLowerCase()] = [String(remaining)];
    const totalHeader = attr(el, 'total-calls-header-name');
    if (totalHeader) target[totalHeader.toLowerCase()] = [String(top.calls)];
    const remainingVar = attr(el, 'remaining-calls-variable-name');
    if (remainingVar) ctx.variables.set(remainingVar, remaining);
  };
  if (retryAfter > 0) {
    const retryHeader = (attr(el, 'retry-after-header-name') ?? 'Retry-After').toLowerCase();
    const retryVar = attr(el, 'retry-after-variable-name');
    if (retryVar) ctx.variables.set(retryVar, retryAfter);
    const response = apimError(429, `Rate limit is exceeded. Try again in ${retryAfter} seconds.`, { [retryHeader]: [String(retryAfter)] });
    setCounters(0, response.headers);
    return policyError(stmt, section, response, 'RateLimitExceeded', 'Rate limit is exceeded');
  }
  windows.forEach((w) => w.push(now));
  setCounters(Math.max(0, top.calls - windows[0].length), ctx.responseHeaders);
  return CONTINUE;
};
