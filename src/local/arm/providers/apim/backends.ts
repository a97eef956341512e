// Backends (apimbackends.json 2024-05-01): PUT 201/200 synchronous, PATCH 200, DELETE 200/204. A single backend
// needs an absolute url and protocol http|soap; credentials.header/query are dictionaries of string lists
// (values may hold {{named value}} references, resolved by the gateway).
import type { LocalAzureContext } from '../../../context.ts';
import type { StoredResource } from '../../../state/store.ts';
import { SERVICE_TEMPLATE, T, defineEntity, fieldError } from './common.ts';

const KEYS = ['title', 'description', 'resourceId', 'properties', 'credentials', 'proxy', 'tls', 'circuitBreaker', 'pool', 'type', 'url', 'protocol'];

export function registerBackends(env: LocalAzureContext): void {
  defineEntity(env, {
    type: T.backend,
    template: `${SERVICE_TEMPLATE}/backends/{backendId}`,
    entity: 'Backend',
    specOperation: 'Backend_CreateOrUpdate',
    nameRule: (n) => (n.length > 80 ? 'Backend identifier must not exceed 80 characters.' : undefined),
    build: (_ctx, _existing, body) => ({ body: { properties: backendProperties(body?.properties ?? {}) } }),
    patch: (_ctx, existing: StoredResource, body) => ({ body: { properties: backendProperties({ ...existing.body.properties, ...(body?.properties ?? {}) }) } }),
  });
}

function backendProperties(p: any): Record<string, unknown> {
  const pool = p.type === 'Pool';
  if (!pool) {
    if (typeof p.url !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/[^\s/?#]+/i.test(p.url)) throw fieldError('url', `'${p.url ?? ''}' is not a valid absolute URL.`);
    if (p.protocol !== 'http' && p.protocol !== 'soap') throw fieldError('protocol', "Protocol is required and must be 'http' or 'soap'.");
  }
  const creds = p.credentials;
  if (creds) {
    for (const part of ['header', 'query'] as const) {
      const dict = creds[part];
      if (dict === undefined || dict === null) continue;
      const ok = typeof dict === 'object' && !Array.isArray(dict) && Object.values(dict).every((v) => Array.isArray(v) && v.every((s) => typeof s === 'string'));
      if (!ok) throw fieldError(`credentials.${part}`, `credentials.${part} must map each name to a list of strings.`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const k of KEYS) if (p[k] !== undefined) out[k] = p[k];
  if (creds) out.credentials = { certificateIds: [], certificate: [], query: {}, header: {}, ...creds };
  if (!out.type) out.type = 'Single';
  return out;
}
