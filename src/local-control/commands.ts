// What the `apim-fn local` subcommands do (declared in src/commands/local.ts).
import { createInterface } from 'node:readline/promises';
import { localDataDir } from './data-dir.ts';
import { requireLocal, findLocal } from './admin-client.ts';
import { startDetached, startForeground, stopLocal, resetLocal } from './lifecycle.ts';
import { createOutput } from '../ui/output.ts';
import { UserError, usageError } from '../errors.ts';
import type { FaultAction, FaultRuleInput } from '../local/faults.ts';
import type { RequestRecord } from '../local/request-log.ts';

interface DataOpt {
  data?: string;
  json?: boolean;
}

export async function start(o: DataOpt & { port?: number; detach?: boolean; latency: 'none' | 'realistic'; timeScale: number; throttle: boolean }) {
  const out = createOutput(o);
  const dataDir = localDataDir(o.data);
  const opts = { dataDir, port: o.port, latency: o.latency, timeScale: o.timeScale, throttle: o.throttle };
  if (o.detach) {
    const conn = await out.step('Starting the local Azure', () => startDetached(opts));
    return printStatus(out, (await conn.call('GET', '/.local/status')).body);
  }
  const azure = await startForeground(opts);
  printStatus(out, (await findLocal(dataDir)!.call('GET', '/.local/status')).body);
  out.info('Serving in the foreground; Ctrl-C stops it.');
  const stop = () => void azure.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await azure.closed;
}

export async function stop(o: DataOpt) {
  const out = createOutput(o);
  const conn = findLocal(localDataDir(o.data));
  if (!conn) return out.info(`the local Azure is not running for ${localDataDir(o.data)}`);
  await out.step(`Stopping the local Azure (pid ${conn.record.pid})`, () => stopLocal(conn));
}

export async function status(o: DataOpt) {
  const out = createOutput(o);
  const dataDir = localDataDir(o.data);
  const conn = findLocal(dataDir);
  if (!conn) {
    if (o.json) out.data({ running: false, dataDir });
    throw new UserError(`the local Azure is not running for ${dataDir}: start it with 'apim-fn local start --detach'`);
  }
  printStatus(out, (await conn.call('GET', '/.local/status')).body);
}

function printStatus(out: ReturnType<typeof createOutput>, s: any) {
  const counts = Object.entries(s.resources as Record<string, number>);
  const text = [
    `endpoint        ${s.endpoint}`,
    `CA certificate  ${s.caCert}`,
    `data dir        ${s.dataDir}`,
    `pid             ${s.pid}`,
    `subscription    ${s.subscriptionId}`,
    `latency         ${s.latency}${s.latency === 'realistic' ? ` x${s.timeScale}` : ''}`,
    `resources       ${counts.length ? counts.map(([t, n]) => `${n} ${t}`).join(', ') : 'none'}`,
  ].join('\n');
  out.data({ running: true, ...s }, text);
}

export async function reset(o: DataOpt & { yes?: boolean }) {
  const out = createOutput(o);
  const dataDir = localDataDir(o.data);
  if (!o.yes) {
    if (!process.stdin.isTTY) throw usageError('local reset wipes every resource: pass --yes to confirm when not on a terminal');
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(`Wipe every resource of the local Azure in ${dataDir}? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) return out.info('nothing changed');
  }
  const state = await resetLocal(dataDir);
  out.info(`the local Azure in ${dataDir} is empty${state === 'running' ? ' (still running)' : ''}`);
}

export async function log(o: DataOpt & { writes?: boolean; since?: number }) {
  const out = createOutput(o);
  const conn = requireLocal(localDataDir(o.data));
  const q = new URLSearchParams();
  if (o.writes) q.set('writes', '1');
  if (o.since) q.set('since', String(o.since));
  const { body } = await conn.call('GET', `/.local/log?${q}`);
  const rows = body.requests as RequestRecord[];
  out.data(
    body,
    rows.length
      ? rows.map((r) => `${String(r.seq).padStart(5)} ${r.time} ${r.method.padEnd(6)} ${r.status} ${String(r.durationMs).padStart(7)}ms ${r.path}${r.apiVersion ? `?api-version=${r.apiVersion}` : ''}${r.fault ? ` [fault: ${r.fault}]` : ''}`).join('\n')
      : 'no requests',
  );
}

export async function faultsAdd(o: DataOpt & { path: string; method?: string; status?: number; retryAfter?: number; drop?: boolean; latency?: number; lroFailed?: boolean; count?: number; fraction?: number }) {
  const out = createOutput(o);
  const chosen = [o.status !== undefined, o.drop, o.latency !== undefined, o.lroFailed].filter(Boolean).length;
  if (chosen !== 1) throw usageError('give exactly one of --status, --drop, --latency, --lro-failed');
  if (o.fraction !== undefined && !(o.fraction > 0 && o.fraction <= 1)) throw usageError('--fraction must be in (0, 1]');
  if (o.count !== undefined && !Number.isInteger(o.count)) throw usageError('--count must be a whole number');
  const action: FaultAction =
    o.status !== undefined ? { type: 'status', status: o.status, retryAfter: o.retryAfter } : o.drop ? { type: 'drop' } : o.latency !== undefined ? { type: 'latency', ms: o.latency } : { type: 'lro-failed' };
  const rule: FaultRuleInput = { path: o.path, method: o.method, action, count: o.count, fraction: o.fraction };
  const conn = requireLocal(localDataDir(o.data));
  const res = await conn.call('POST', '/.local/faults', rule);
  if (res.status !== 201) throw usageError(res.body?.error?.message ?? `fault rule rejected (${res.status})`);
  out.data(res.body.rules[0], `added fault ${res.body.rules[0].id}`);
}

export async function faultsList(o: DataOpt) {
  const out = createOutput(o);
  const { body } = await requireLocal(localDataDir(o.data)).call('GET', '/.local/faults');
  const rules = body.rules as Array<FaultRuleInput & { id: string; hits: number }>;
  out.data(
    body,
    rules.length ? rules.map((r) => `${r.id} ${r.method ?? '*'} ${r.path} → ${JSON.stringify(r.action)} hits=${r.hits}${r.count !== undefined ? ` left=${r.count}` : ''}${r.fraction !== undefined ? ` fraction=${r.fraction}` : ''}`).join('\n') : 'no fault rules',
  );
}

export async function faultsClear(o: DataOpt) {
  const out = createOutput(o);
  await requireLocal(localDataDir(o.data)).call('DELETE', '/.local/faults');
  out.info('fault rules cleared');
}
