// Starts the local Azure: state from the data dir (or a temp dir that is deleted on close), TLS from its CA,
// the ARM control plane on 127.0.0.1, and a lock so only one local Azure serves a data dir.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Store, type StateDocument } from './state/store.ts';
import { writeFileAtomic } from './state/atomic-file.ts';
import { ensureTls } from './tls.ts';
import { LocalAzureContext } from './context.ts';
import { LatencyModel, type LatencyMode } from './latency.ts';
import { createArmServer } from './http/server.ts';
import { createAdminHandler, type AdminInfo } from './admin.ts';
import { registerProviders } from './arm/providers/index.ts';
import { startDataPlane } from './functions/index.ts';

export interface LocalAzureOptions {
  /** Persistent data dir; omitted = a temp dir deleted on close. */
  dataDir?: string;
  /** 0 = any free port (default: the port used last time for this data dir, else any). */
  port?: number;
  latency?: LatencyMode;
  timeScale?: number;
  throttle?: boolean;
  /** Keep request and response bodies in the request log (conformance tests). */
  recordBodies?: boolean;
}

export interface RunningLocalAzure {
  endpoint: string;
  caCertPath: string;
  caCertPem: string;
  dataDir: string;
  subscriptionId: string;
  tenantId: string;
  adminToken: string;
  env: LocalAzureContext;
  close(): Promise<void>;
  closed: Promise<void>;
}

export interface DaemonRecord {
  pid: number;
  endpoint: string;
  caCert: string;
  startedAt: string;
}

export const DAEMON_FILE = 'daemon.json';
export const ADMIN_TOKEN_FILE = 'admin-token';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readDaemonRecord(dataDir: string): DaemonRecord | undefined {
  const f = join(dataDir, DAEMON_FILE);
  if (!existsSync(f)) return undefined;
  try {
    const rec = JSON.parse(readFileSync(f, 'utf8')) as DaemonRecord;
    return pidAlive(rec.pid) ? rec : undefined;
  } catch {
    return undefined;
  }
}

function freshState(): StateDocument {
  return { version: 1, subscriptionId: randomUUID(), tenantId: randomUUID(), resources: {}, operations: {}, extra: {} };
}

export async function startLocalAzure(opts: LocalAzureOptions = {}): Promise<RunningLocalAzure> {
  const ephemeral = !opts.dataDir;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'apim-fn-local-'));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const running = readDaemonRecord(dataDir);
  if (running && running.pid !== process.pid) {
    throw new Error(`a local Azure already serves ${dataDir} (pid ${running.pid}, ${running.endpoint})`);
  }
  // Exclusive lock while starting, so two starts on one data dir cannot both win.
  const lockFile = join(dataDir, 'start.lock');
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(readFileSync(lockFile, 'utf8'));
    if (holder && holder !== process.pid && pidAlive(holder)) throw new Error(`another local Azure is starting on ${dataDir} (pid ${holder})`);
    writeFileSync(lockFile, String(process.pid));
  }

  try {
    const tls = await ensureTls(dataDir);
    const tokenFile = join(dataDir, ADMIN_TOKEN_FILE);
    if (!existsSync(tokenFile)) writeFileAtomic(tokenFile, randomBytes(24).toString('hex'), 0o600);
    const adminToken = readFileSync(tokenFile, 'utf8').trim();

    const store = new Store(dataDir, freshState);
    const env = new LocalAzureContext({
      store,
      latency: new LatencyModel(opts.latency ?? 'none', opts.timeScale ?? 1),
      throttle: opts.throttle ?? true,
      recordBodies: opts.recordBodies ?? false,
      tls: { cert: tls.certPem, key: tls.keyPem, ca: tls.caCertPem },
    });
    registerProviders(env);
    await env.hosts.restore();

    const startedAt = new Date().toISOString();
    let closeResolve!: () => void;
    const closed = new Promise<void>((r) => (closeResolve = r));
    let closing: Promise<void> | undefined;
    const info = (): AdminInfo => ({
      endpoint: env.baseUrl,
      caCert: tls.caCertPath,
      dataDir,
      pid: process.pid,
      subscriptionId: store.doc.subscriptionId,
      tenantId: store.doc.tenantId,
      latency: env.latency.mode,
      timeScale: env.latency.timeScale,
      startedAt,
    });
    const reset = async () => {
      await env.hosts.closeAll();
      const { subscriptionId, tenantId } = store.doc;
      store.doc = { ...freshState(), subscriptionId, tenantId };
      store.markDirty();
      store.flush();
    };
    const server = createArmServer(env, { cert: tls.certPem, key: tls.keyPem }, createAdminHandler(env, adminToken, info, reset, () => void close()));
    const sweep = setInterval(() => {
      env.lro.settleDue();
      store.flush();
    }, 250);
    sweep.unref();

    const listen = (port: number) =>
      new Promise<number>((resolve, reject) => {
        const onError = (e: Error) => {
          server.off('listening', onListening);
          reject(e);
        };
        const onListening = () => {
          server.off('error', onError);
          resolve((server.address() as AddressInfo).port);
        };
        server.once('error', onError);
        server.once('listening', onListening);
        server.listen(port, '127.0.0.1');
      });
    const preferred = opts.port ?? (store.doc.extra.lastPort as number | undefined) ?? 0;
    let port: number;
    try {
      port = await listen(preferred);
    } catch (e) {
      if (opts.port || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      port = await listen(0);
    }
    env.baseUrl = `https://127.0.0.1:${port}`;
    if (!ephemeral) {
      store.doc.extra.lastPort = port;
      store.markDirty();
      store.flush();
    }
    // Data plane: Azurite (blob) and the function/SCM hosts, reconciled after each ARM request (src/local/functions).
    const dataPlane = await startDataPlane(env, { dataDir, caCertPath: tls.caCertPath, caCertPem: tls.caCertPem });
    dataPlane.observe(server);

    const record: DaemonRecord = { pid: process.pid, endpoint: env.baseUrl, caCert: tls.caCertPath, startedAt };
    writeFileAtomic(join(dataDir, DAEMON_FILE), JSON.stringify(record), 0o600);

    const close = (): Promise<void> => {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(sweep);
        env.lro.settleDue();
        store.flush();
        server.close(() => resolve());
        server.closeAllConnections();
      })
        .then(() => dataPlane.stop())
        .then(() => env.hosts.closeAll())
        .then(() => {
        rmSync(join(dataDir, DAEMON_FILE), { force: true });
        if (ephemeral) rmSync(dataDir, { recursive: true, force: true });
        closeResolve();
      });
      return closing;
    };

    return {
      endpoint: env.baseUrl,
      caCertPath: tls.caCertPath,
      caCertPem: tls.caCertPem,
      dataDir,
      subscriptionId: store.doc.subscriptionId,
      tenantId: store.doc.tenantId,
      adminToken,
      env,
      close,
      closed,
    };
  } finally {
    rmSync(lockFile, { force: true });
  }
}
