// Azurite (Microsoft's storage emulator) as the local Azure's blob data plane: one child process on a
// loopback port of its own (the stable blob endpoint in front of it is plane.ts's), HTTPS with the local
// Azure's server certificate, its data under <dataDir>/azurite. Accounts are handed over live (see
// azurite-child.ts); a crashed child is started again.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AzuriteOptions {
  dataDir: string;
  certPath: string;
  keyPath: string;
}

const here = fileURLToPath(import.meta.url);
// The entry keeps this module's extension: .ts when run from src/, .js from the compiled dist/.
const CHILD = join(here, '..', `azurite-child${extname(here)}`);

export class AzuriteProcess {
  private child: ChildProcess | undefined;
  private readonly opts: AzuriteOptions;
  private accounts = '';
  private seq = 0;
  private readonly pending = new Map<number, () => void>();
  private stopping = false;
  private restarts = 0;
  port = 0;

  constructor(opts: AzuriteOptions) {
    this.opts = opts;
  }

  /** Starts Azurite with these accounts (AZURITE_ACCOUNTS syntax); resolves with its port. */
  async start(accounts: string): Promise<number> {
    this.accounts = accounts;
    this.stopping = false;
    this.port = await this.spawn(0);
    return this.port;
  }

  /** Makes Azurite accept exactly these accounts and keys from now on (no restart, no lost request). */
  async setAccounts(accounts: string): Promise<void> {
    this.accounts = accounts;
    const child = this.child;
    if (!child?.connected) return; // a restarting child gets them from its environment
    const seq = ++this.seq;
    await new Promise<void>((resolve) => {
      // A child that dies meanwhile is restarted with the new accounts in its environment.
      const onExit = () => resolve();
      child.once('exit', onExit);
      this.pending.set(seq, () => {
        child.off('exit', onExit);
        resolve();
      });
      child.send({ type: 'accounts', seq, accounts });
    });
    this.pending.delete(seq);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (child.connected) child.send({ type: 'shutdown' });
      else child.kill('SIGTERM');
    });
    this.child = undefined;
  }

  private spawn(port: number): Promise<number> {
    const location = join(this.opts.dataDir, 'azurite');
    mkdirSync(location, { recursive: true, mode: 0o700 });
    const log = openSync(join(location, 'azurite.log'), 'a');
    const args = { host: '127.0.0.1', port, location, cert: this.opts.certPath, key: this.opts.keyPath };
    const child = fork(CHILD, [JSON.stringify(args)], {
      execArgv: [],
      env: { PATH: process.env.PATH ?? '', AZURITE_ACCOUNTS: this.accounts },
      stdio: ['ignore', log, log, 'ipc'],
    });
    closeSync(log);
    this.child = child;
    return new Promise<number>((resolve, reject) => {
      child.on('message', (msg: any) => {
        if (msg?.type === 'ready') resolve(msg.port);
        else if (msg?.type === 'failed') reject(Object.assign(new Error(`Azurite failed to start: ${msg.error}`), { code: msg.code }));
        else if (msg?.type === 'accounts-ok') this.pending.get(msg.seq)?.();
      });
      child.once('exit', (code) => {
        reject(new Error(`Azurite exited with code ${code} before it was ready`));
        if (this.child === child) this.child = undefined;
        if (!this.stopping && this.port) this.restartLater();
      });
    });
  }

  /** A crash mid-run: start again (the endpoint in front hides the new port), backing off if it keeps failing. */
  private restartLater(): void {
    const delay = Math.min(30_000, 250 * 2 ** this.restarts++);
    setTimeout(() => {
      if (this.stopping) return;
      this.spawn(0).then(
        (port) => {
          this.port = port;
          this.restarts = 0;
        },
        () => undefined, // the exit handler schedules the next try
      );
    }, delay).unref();
  }
}
