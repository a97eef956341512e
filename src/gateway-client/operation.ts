// Finding an operation of the imported API and building a request for it: pure functions over the
// operation contracts APIM returns (name, method, urlTemplate, templateParameters, request).
import { usageError } from '../errors.ts';

export interface ParamContract {
  name: string;
  type?: string;
  required?: boolean;
  values?: string[];
}

export interface OperationContract {
  name: string;
  displayName?: string;
  method: string;
  urlTemplate: string;
  templateParameters?: ParamContract[];
  request?: { queryParameters?: ParamContract[]; headers?: ParamContract[]; representations?: Array<{ contentType: string }> };
}

const normalize = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
const pathOf = (t: string) => t.split('?')[0].replace(/^\/+/, '').replace(/\/+$/, '');

/** By operation name (get-getter), by operationId (normalized as APIM names it), or by path (getter for /getter). */
export function resolveOperation(ops: OperationContract[], wanted: string): OperationContract {
  const byName = ops.filter((o) => o.name.toLowerCase() === wanted.toLowerCase() || o.name === normalize(wanted));
  if (byName.length === 1) return byName[0];
  const byPath = ops.filter((o) => pathOf(o.urlTemplate).toLowerCase() === pathOf(wanted).toLowerCase());
  if (byPath.length === 1) return byPath[0];
  const list = ops.map((o) => `${o.name} (${o.method} ${o.urlTemplate})`).join(', ');
  if (byPath.length > 1) throw usageError(`'${wanted}' is ambiguous: ${byPath.map((o) => `${o.name} (${o.method} ${o.urlTemplate})`).join(', ')}; name the operation`);
  throw usageError(`no operation '${wanted}' in the API; operations: ${list || 'none'}`);
}

function checkType(p: ParamContract, value: string): void {
  const t = (p.type ?? 'string').toLowerCase();
  const bad =
    (t === 'integer' && !/^-?\d+$/.test(value)) ||
    (t === 'number' && !Number.isFinite(Number(value))) ||
    (t === 'boolean' && !/^(true|false)$/i.test(value));
  if (bad) throw usageError(`--${p.name} must be ${t === 'integer' ? 'an integer' : `a ${t}`}, got '${value}'`);
  if (p.values?.length && !p.values.includes(value)) throw usageError(`--${p.name} must be one of ${p.values.join(', ')}, got '${value}'`);
}

/** Path and query of the call from `--<param> value` flags; unknown or missing required parameters are usage errors. */
export function buildCallPath(op: OperationContract, params: Record<string, string>): string {
  const known = new Map<string, ParamContract & { in: 'path' | 'query' }>();
  for (const p of op.templateParameters ?? []) known.set(p.name, { ...p, in: 'path', required: true });
  for (const p of op.request?.queryParameters ?? []) if (!known.has(p.name)) known.set(p.name, { ...p, in: 'query' });
  for (const name of Object.keys(params)) {
    if (!known.has(name)) throw usageError(`unknown parameter --${name} for ${op.name}; it takes ${[...known.keys()].map((k) => `--${k}`).join(', ') || 'no parameters'}`);
  }
  for (const p of known.values()) {
    if (p.required && params[p.name] === undefined) throw usageError(`missing required parameter --${p.name} for ${op.name}`);
    if (params[p.name] !== undefined) checkType(p, params[p.name]);
  }
  const [pathTemplate, queryTemplate] = op.urlTemplate.split('?');
  const path = pathTemplate.replace(/\{([^}]+)\}/g, (_, n: string) => encodeURIComponent(params[n]));
  const query = new URLSearchParams();
  // Query parts of the template ("?message={message}") and plain query parameters, in the template's order.
  for (const part of (queryTemplate ?? '').split('&').filter(Boolean)) {
    const [k, v] = part.split('=');
    const m = /^\{(.+)\}$/.exec(v ?? '');
    if (m && params[m[1]] !== undefined) query.append(k, params[m[1]]);
  }
  for (const p of known.values()) if (p.in === 'query' && params[p.name] !== undefined && !query.has(p.name)) query.append(p.name, params[p.name]);
  const qs = query.toString();
  return `${path.startsWith('/') ? path : `/${path}`}${qs ? `?${qs}` : ''}`;
}

/** The content type for --data: the operation's request representation, JSON checked when JSON. */
export function bodyFor(op: OperationContract, data: string | undefined): { contentType?: string; body?: string } {
  if (data === undefined) return {};
  const types = (op.request?.representations ?? []).map((r) => r.contentType);
  const contentType = types[0] ?? (/^\s*[[{]/.test(data) ? 'application/json' : 'text/plain');
  if (/json/i.test(contentType)) {
    try {
      JSON.parse(data);
    } catch (e) {
      throw usageError(`--data is not valid JSON for ${op.name} (${contentType}): ${(e as Error).message}`);
    }
  }
  return { contentType, body: data };
}

/** `--message world --header k:v` → params, with commander's own options removed by the caller. */
export function parseParamFlags(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) throw usageError(`unexpected argument '${a}': pass parameters as --<name> <value>`);
    const value = m[2] ?? args[++i];
    if (value === undefined) throw usageError(`--${m[1]} needs a value`);
    out[m[1]] = value;
  }
  return out;
}

export function maskKey(key: string): string {
  return key.length <= 8 ? '****' : `${key.slice(0, 4)}…${key.slice(-2)}`;
}
