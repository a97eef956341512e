// Function key checks as the Functions host does them: the key comes from the x-functions-key header, else
// the `code` query parameter. The master key grants admin level; any host function key (default or named)
// or one of the function's own keys grants function level. Keys are read from the site's secrets on every
// request (the web provider keeps them there), so a key created or deleted through ARM applies at once.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { LocalAzureContext } from '../context.ts';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

/** The part of the web provider's SiteSecrets the host reads (src/local/arm/providers/web/common.ts). */
interface SiteKeys {
  hostKeys?: { masterKey?: string; functionKeys?: Record<string, string> };
  functionKeys?: Record<string, Record<string, string>>;
}

export function keyFromRequest(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const header = req.headers['x-functions-key'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (fromHeader) return fromHeader;
  return query.get('code') ?? undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The level a key grants for this function ('anonymous' when it grants nothing). */
export function levelOfKey(env: LocalAzureContext, siteId: string, functionName: string | undefined, key: string | undefined): AuthLevel {
  if (!key) return 'anonymous';
  const secrets = env.store.get(siteId)?.secrets as SiteKeys | undefined;
  if (!secrets) return 'anonymous';
  const master = secrets.hostKeys?.masterKey;
  if (master && same(master, key)) return 'admin';
  if (Object.values(secrets.hostKeys?.functionKeys ?? {}).some((k) => same(k, key))) return 'function';
  if (functionName) {
    const own = Object.entries(secrets.functionKeys ?? {}).find(([name]) => name.toLowerCase() === functionName.toLowerCase())?.[1];
    if (Object.values(own ?? {}).some((k) => same(k, key))) return 'function';
  }
  return 'anonymous';
}

const RANK: Record<AuthLevel, number> = { anonymous: 0, function: 1, admin: 2 };

export function authorized(required: AuthLevel, granted: AuthLevel): boolean {
  return RANK[granted] >= RANK[required];
}
