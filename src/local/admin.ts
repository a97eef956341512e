// The local Azure's own admin API under /.local/ (status, request log, faults, reset), guarded by a token
// kept in the data dir (mode 0600), so only the user who owns the data dir can drive it.
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { LocalAzureContext } from './context.ts';
import type { Reply } from './http/router.ts';
import type { FaultRuleInput } from './faults.ts';
import { validateFaultRule } from './faults.ts';

export interface AdminInfo {
  endpoint: string;
  caCert: string;
  dataDir: string;
  pid: number;
  subscriptionId: string;
  tenantId: string;
  latency: string;
  timeScale: number;
  startedAt: string;
}

export function createAdminHandler(env: LocalAzureContext, token: string, info: () => AdminInfo, reset: () => Promise<void>, stop: () => void) {
  const expected = Buffer.from(`Bearer ${token}`);
  return async (req: IncomingMessage, url: URL, raw: Buffer): Promise<Reply | undefined> => {
    const given = Buffer.from(String(req.headers['x-local-admin'] ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { status: 401, body: { error: { code: 'AuthenticationFailed', message: 'Missing or wrong local admin token.' } } };
    }
    const route = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
    let body: any;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      return { status: 400, body: { error: { code: 'InvalidRequestContent', message: 'Body is not JSON.' } } };
    }
    switch (route) {
      case 'GET /.local/status': {
        env.lro.settleDue();
        const counts: Record<string, number> = {};
        for (const r of env.store.all()) counts[r.type] = (counts[r.type] ?? 0) + 1;
        return { status: 200, body: { ...info(), resources: counts } };
      }
      case 'GET /.local/log':
        return {
          status: 200,
          body: {
            lastSeq: env.log.lastSeq,
            requests: env.log.query({
              since: Number(url.searchParams.get('since') ?? 0),
              writes: url.searchParams.get('writes') === '1',
              bodies: url.searchParams.get('bodies') === '1',
            }),
          },
        };
      case 'GET /.local/faults':
        return { status: 200, body: { rules: env.faults.list() } };
      case 'POST /.local/faults': {
        const rules: FaultRuleInput[] = Array.isArray(body) ? body : [body];
        for (const r of rules) {
          const problem = validateFaultRule(r);
          if (problem) return { status: 400, body: { error: { code: 'InvalidFaultRule', message: problem } } };
        }
        return { status: 201, body: { rules: rules.map((r) => env.faults.add(r)) } };
      }
      case 'DELETE /.local/faults':
        env.faults.clear();
        return { status: 204 };
      case 'POST /.local/reset':
        await reset();
        return { status: 204 };
      case 'POST /.local/stop':
        setImmediate(stop);
        return { status: 202 };
      default:
        return undefined;
    }
  };
}
