// The blob data plane of the local Azure: Azurite kept in step with the storage provider's state. Every
// storage account (with the keys listKeys returns) is an Azurite account, and every blob container created
// through ARM exists in Azurite. The storage provider knows nothing of this: the plane reconciles after each
// ARM request that may have changed accounts or containers (and on a slow timer as a safety net), and
// anything in this process that is about to use Azurite awaits `sync()` first.
//
// Why live account hand-over instead of fixed keys or restarts: the storage provider mints random keys
// (real Azure does too), and restarting Azurite on every account change costs ~0.5 s during which blob
// requests fail. Setting AZURITE_ACCOUNTS inside the Azurite process and refreshing its account store
// takes about a millisecond and drops nothing.
import type { LocalAzureContext } from '../context.ts';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { AzuriteProcess } from './azurite.ts';
import { ACCOUNT_TYPE, BlobClients, CONTAINER_TYPE } from './client.ts';

export interface BlobPlaneOptions {
  dataDir: string;
  certPath: string;
  keyPath: string;
  caCertPem: string;
}

interface PlaneState {
  port?: number;
  /** "account/container" of containers this plane created in Azurite for ARM containers. */
  containers?: string[];
}

export class BlobPlane {
  readonly clients: BlobClients;
  private readonly env: LocalAzureContext;
  private readonly azurite: AzuriteProcess;
  private accountsSent = '';
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private endpoint: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private stopped = false;
  private port = 0;

  constructor(env: LocalAzureContext, opts: BlobPlaneOptions) {
    this.env = env;
    this.clients = new BlobClients(env, opts.caCertPem);
    this.azurite = new AzuriteProcess({ dataDir: opts.dataDir, certPath: opts.certPath, keyPath: opts.keyPath });
  }

  private get state(): PlaneState {
    return (this.env.store.doc.extra.blobPlane ??= {});
  }

  /** The URL template accounts report as primaryEndpoints.blob (path-style: Azurite serves many accounts on one port). */
  get endpointTemplate(): string {
    return `https://127.0.0.1:${this.port}/{account}/`;
  }

  /**
   * Opens the blob endpoint and points accounts at it. The endpoint is a loopback TCP listener owned by
   * this process that hands each connection to Azurite (TLS passes through; Azurite terminates it with
   * the local Azure's certificate). It keeps the port stable across restarts of Azurite and holds
   * connections while Azurite starts, which happens on first need: a storage account exists or a client
   * connects. Azurite takes about a second to start, which a local Azure that never sees a storage account
   * (most test runs) does not pay.
   */
  async start(): Promise<void> {
    this.endpoint = createServer((socket) => void this.forward(socket));
    this.port = await listen(this.endpoint, this.state.port ?? 0).catch(() => listen(this.endpoint!, 0));
    this.clients.baseUrl = `https://127.0.0.1:${this.port}`;
    this.setTemplate();
    this.timer = setInterval(() => this.kick(), 1000);
    this.timer.unref();
    // Not awaited: with storage accounts in a persisted state Azurite starts now, in the background; the
    // endpoint holds early connections and everything here that uses blobs awaits sync().
    this.kick();
  }

  private async forward(socket: Socket): Promise<void> {
    socket.on('error', () => socket.destroy());
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    try {
      await this.ensureStarted();
    } catch {
      socket.destroy();
      return;
    }
    const upstream = connect(this.azurite.port, '127.0.0.1');
    upstream.on('error', () => socket.destroy());
    socket.once('close', () => upstream.destroy());
    upstream.once('close', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopped = true;
    const closed = new Promise<void>((resolve) => (this.endpoint ? this.endpoint.close(() => resolve()) : resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
    await this.running?.catch(() => undefined);
    await this.starting?.catch(() => undefined);
    await this.azurite.stop();
  }

  /** Starts Azurite once (resolves when it listens, on a port of its own behind the endpoint). */
  private ensureStarted(): Promise<void> {
    this.starting ??= (async () => {
      this.accountsSent = this.accountsString();
      await this.azurite.start(this.accountsSent);
    })();
    return this.starting;
  }

  private setTemplate(): void {
    const { extra } = this.env.store.doc;
    if (extra.blobEndpointTemplate === this.endpointTemplate && this.state.port === this.port) return;
    extra.blobEndpointTemplate = this.endpointTemplate;
    this.state.port = this.port;
    this.env.store.markDirty();
    this.env.store.flush();
  }

  /** Schedules a reconcile (coalesced: at most one runs, one more queued). */
  kick(): void {
    // Synchronously, before the caller's next request: a reset of the local Azure replaced the state
    // document, and accounts read from now on must report Azurite again.
    if (!this.stopped) this.setTemplate();
    // A sync still in flight when the local Azure stops fails against the closed Azurite: not worth a line.
    void this.sync().catch((e) => {
      if (!this.stopped) process.stderr.write(`local azure: blob sync: ${(e as Error).message}\n`);
    });
  }

  /** Resolves once Azurite matches the state as it is now. */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.reconcile();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** name:key1:key2;... for every storage account, in a stable order. */
  private accountsString(): string {
    return this.env.store
      .all()
      .filter((r) => r.type === ACCOUNT_TYPE && Array.isArray(r.secrets?.keys))
      .map((r) => [String(r.body.name).toLowerCase(), ...r.secrets!.keys.map((k: { value: string }) => k.value)].join(':'))
      .sort()
      .join(';');
  }

  private async reconcile(): Promise<void> {
    if (this.stopped) return;
    // A reset of the local Azure replaces the state document; point accounts at Azurite again.
    this.setTemplate();
    const accounts = this.accountsString();
    if (!this.starting && !accounts && !this.state.containers?.length) return;
    await this.ensureStarted();
    if (accounts !== this.accountsSent) {
      await this.azurite.setAccounts(accounts);
      this.accountsSent = accounts;
    }
    await this.reconcileContainers();
  }

  private async reconcileContainers(): Promise<void> {
    const wanted = new Set<string>();
    for (const r of this.env.store.all()) {
      if (r.type !== CONTAINER_TYPE) continue;
      // .../storageAccounts/{account}/blobServices/default/containers/{container}
      const parts = r.id.split('/');
      wanted.add(`${parts[8].toLowerCase()}/${parts[12]}`);
    }
    const known = new Set(this.state.containers ?? []);
    let changed = false;
    for (const key of wanted) {
      if (known.has(key)) continue;
      const [account, container] = key.split('/');
      await this.clients.service(account).getContainerClient(container).createIfNotExists();
      known.add(key);
      changed = true;
    }
    for (const key of known) {
      if (wanted.has(key)) continue;
      const [account, container] = key.split('/');
      // The account may be gone with it: Azurite no longer accepts its key, and its data is unreachable.
      try {
        await this.clients.service(account).getContainerClient(container).deleteIfExists();
      } catch {
        /* account deleted */
      }
      known.delete(key);
      changed = true;
    }
    if (changed) {
      this.state.containers = [...known].sort();
      this.env.store.markDirty();
      this.env.store.flush();
    }
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}
