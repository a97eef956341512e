// One Node.js worker process of a function app, seen from the host: forked on the unpacked package with the
// app settings as environment variables, ready once it has indexed its functions, invoked over IPC. Its
// stdout/stderr and its RpcLogs go to the site's log file.
import { fork, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromWorker, HttpResult, IndexedFunction, RpcHttpRequest } from './worker/protocol.ts';

const here = fileURLToPath(import.meta.url);
const MAIN = join(here, '..', 'worker', `main${extname(here)}`);

/** Host-level variables every worker gets; app settings come on top (they win, as on App Service). */
function baseEnvironment(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'LANG', 'TZ', 'SystemRoot'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
}

export interface WorkerOptions {
  appDir: string;
  env: Record<string, string>;
  logFile: string;
  /** How long indexing may take before the start counts as failed. */
  startTimeoutMs?: number;
}

export type InvokeOutcome = { ok: true; http: HttpResult | null } | { ok: false; error: string };

export class WorkerProcess {
  readonly opts: WorkerOptions;
  private child: ChildProcess | undefined;
  private readonly calls = new Map<string, (o: InvokeOutcome) => void>();
  private drained: (() => void) | undefined;
  functions: IndexedFunction[] = [];
  /** Time from fork to indexed functions (cold start). */
  startMs = 0;
  /** Called when the process ends without being asked to (crash, exit from user code). */
  onCrash: ((code: number | null) => void) | undefined;
  private stopping = false;

  constructor(opts: WorkerOptions) {
    this.opts = opts;
  }

  get inFlight(): number {
    return this.calls.size;
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Forks the worker; resolves when it reports its functions, rejects with its load error. */
  start(): Promise<void> {
    const t0 = performance.now();
    this.log(`host: starting worker for ${this.opts.appDir}`);
    const out = openSync(this.opts.logFile, 'a');
    const child = fork(MAIN, [], {
      cwd: this.opts.appDir,
      execArgv: [],
      env: { ...baseEnvironment(), ...this.opts.env },
      serialization: 'advanced',
      stdio: ['ignore', out, out, 'ipc'],
    });
    closeSync(out);
    this.child = child;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`The worker did not index its functions within ${(this.opts.startTimeoutMs ?? 30_000) / 1000} s.`));
        void this.stop();
      }, this.opts.startTimeoutMs ?? 30_000);
      child.on('message', (msg: FromWorker) => {
        switch (msg.type) {
          case 'ready':
            clearTimeout(timer);
            this.functions = msg.functions;
            this.startMs = performance.now() - t0;
            this.log(`host: worker indexed ${msg.functions.length} function(s) in ${Math.round(this.startMs)} ms: ${msg.functions.map((f) => f.name).join(', ')}`);
            resolve();
            break;
          case 'failed':
            clearTimeout(timer);
            this.log(`host: worker failed to start: ${msg.error}`);
            reject(new Error(msg.error));
            break;
          case 'result': {
            const done = this.calls.get(msg.id);
            this.calls.delete(msg.id);
            done?.(msg.ok ? { ok: true, http: msg.http } : { ok: false, error: msg.error });
            if (!this.calls.size) this.drained?.();
            break;
          }
          case 'log':
            this.log(`[${msg.level}] ${msg.category}${msg.invocationId ? ` (${msg.invocationId})` : ''}: ${msg.message}`);
            break;
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`The worker exited (code ${code ?? signal}) before it indexed its functions.`));
        for (const done of this.calls.values()) done({ ok: false, error: 'The worker process exited during the invocation.' });
        this.calls.clear();
        this.drained?.();
        if (!this.stopping) {
          this.log(`host: worker exited unexpectedly (code ${code ?? signal})`);
          this.onCrash?.(code);
        }
      });
    });
  }

  invoke(id: string, functionId: string, triggerName: string, http: RpcHttpRequest, traceParent: string): Promise<InvokeOutcome> {
    const child = this.child;
    if (!child?.connected) return Promise.resolve({ ok: false, error: 'The worker is not running.' });
    return new Promise((resolve) => {
      this.calls.set(id, resolve);
      child.send({ type: 'invoke', id, functionId, triggerName, http, traceParent });
    });
  }

  /** Waits for in-flight invocations (at most `timeoutMs`), then stops the process. */
  async drainAndStop(timeoutMs = 30_000): Promise<void> {
    this.stopping = true;
    if (this.calls.size) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        setTimeout(resolve, timeoutMs).unref();
      });
    }
    await this.stop();
  }

  /** Asks the worker to run its appTerminate hooks and exit; kills it after 3 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || !this.alive) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      if (child.connected) child.send({ type: 'terminate' });
      else child.kill('SIGTERM');
    });
  }

  log(line: string): void {
    try {
      appendFileSync(this.opts.logFile, `${new Date().toISOString()} ${line}\n`);
    } catch {
      /* the site's folder was removed with the site */
    }
  }
}
