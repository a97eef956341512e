// Starting (foreground or detached), stopping and resetting a local Azure from the CLI.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalAzure, readDaemonRecord, type LocalAzureOptions } from '../local/index.ts';
import { findLocal, type LocalConnection } from './admin-client.ts';
import { UserError } from '../errors.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function daemonEntry(): string {
  // Next to this module: dist/local/daemon.js when compiled, src/local/daemon.ts when run from source.
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return fileURLToPath(new URL(`../local/daemon.${ext}`, import.meta.url));
}

export async function startForeground(opts: LocalAzureOptions & { dataDir: string }) {
  assertNotRunning(opts.dataDir);
  return startLocalAzure(opts);
}

function assertNotRunning(dataDir: string): void {
  const running = readDaemonRecord(dataDir);
  if (running) throw new UserError(`a local Azure already runs for ${dataDir} at ${running.endpoint} (pid ${running.pid}); stop it with 'apim-fn local stop'`);
}

/** Starts a detached local Azure and waits until it answers. */
export async function startDetached(opts: LocalAzureOptions & { dataDir: string }, timeoutMs = 20_000): Promise<LocalConnection> {
  assertNotRunning(opts.dataDir);
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const logFile = join(opts.dataDir, 'daemon.log');
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [daemonEntry(), JSON.stringify(opts)], { detached: true, stdio: ['ignore', out, out] });
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== null) throw new UserError(`the local Azure exited while starting (code ${exited}); see ${logFile}`);
    const conn = findLocal(opts.dataDir);
    if (conn && conn.record.pid === child.pid) {
      try {
        if ((await conn.call('GET', '/.local/status')).status === 200) return conn;
      } catch {
        /* not listening yet */
      }
    }
    await sleep(50);
  }
  throw new UserError(`the local Azure did not start within ${timeoutMs / 1000}s; see ${logFile}`);
}

/** Stops a running local Azure and waits for its process to end. */
export async function stopLocal(conn: LocalConnection, timeoutMs = 10_000): Promise<void> {
  await conn.call('POST', '/.local/stop');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!readDaemonRecord(conn.dataDir)) return;
    await sleep(50);
  }
  try {
    process.kill(conn.record.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

/** Wipes resources and operations; keeps the CA, the subscription id and the admin token. */
export async function resetLocal(dataDir: string): Promise<'running' | 'stopped'> {
  const conn = findLocal(dataDir);
  if (conn) {
    await conn.call('POST', '/.local/reset');
    return 'running';
  }
  const state = join(dataDir, 'state.json');
  if (existsSync(state)) {
    const { subscriptionId, tenantId } = JSON.parse(readFileSync(state, 'utf8'));
    writeFileSync(state, JSON.stringify({ version: 1, subscriptionId, tenantId, resources: {}, operations: {}, extra: {} }), { mode: 0o600 });
  }
  return 'stopped';
}
