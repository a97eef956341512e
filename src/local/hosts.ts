// Data-plane hosts without DNS: every function app, SCM site and APIM gateway gets its own HTTPS listener on
// a loopback port, kept across restarts, so the host names the control plane returns (127.0.0.1:<port>)
// work on a plain machine. What each host serves is plugged in per kind (function host, gateway, ...).
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from './state/store.ts';
import { keyOf } from './state/store.ts';

export type HostKind = 'function-app' | 'scm' | 'apim-gateway';

export type HostHandler = (req: IncomingMessage, res: ServerResponse, resourceId: string) => void;

interface HostRecord {
  resourceId: string;
  kind: HostKind;
  port: number;
}

const defaultHandlers: Record<HostKind, HostHandler> = {
  'function-app': (_req, res) => reply(res, 404, { error: 'No function code is deployed to this app yet.' }),
  scm: (_req, res) => reply(res, 404, { error: 'The SCM endpoint has nothing deployed yet.' }),
  'apim-gateway': (_req, res) =>
    reply(res, 404, { statusCode: 404, message: 'Resource not found' }),
};

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export class HostRegistry {
  private readonly store: Store;
  private readonly tls: { cert: string; key: string };
  private readonly servers = new Map<string, https.Server>();
  private readonly handlers = new Map<HostKind, HostHandler>();

  constructor(store: Store, tls: { cert: string; key: string }) {
    this.store = store;
    this.tls = tls;
  }

  private get records(): Record<string, HostRecord> {
    return (this.store.doc.extra.hosts ??= {});
  }

  setHandler(kind: HostKind, handler: HostHandler): void {
    this.handlers.set(kind, handler);
  }

  /** The host (127.0.0.1:<port>) serving this resource's endpoint of this kind; listens on first use. */
  async ensure(resourceId: string, kind: HostKind): Promise<string> {
    const key = `${kind}:${keyOf(resourceId)}`;
    const rec = this.records[key];
    if (rec && this.servers.has(key)) return `127.0.0.1:${rec.port}`;
    const port = await this.listen(key, resourceId, kind, rec?.port ?? 0);
    this.records[key] = { resourceId, kind, port };
    this.store.markDirty();
    return `127.0.0.1:${port}`;
  }

  /** The host for a resource if it has one (no listening). */
  hostOf(resourceId: string, kind: HostKind): string | undefined {
    const rec = this.records[`${kind}:${keyOf(resourceId)}`];
    return rec ? `127.0.0.1:${rec.port}` : undefined;
  }

  /** The resource whose endpoint listens on this port. */
  resourceAt(port: number, kind: HostKind): string | undefined {
    return Object.values(this.records).find((r) => r.port === port && r.kind === kind)?.resourceId;
  }

  release(resourceId: string): void {
    for (const [key, rec] of Object.entries(this.records)) {
      if (keyOf(rec.resourceId) !== keyOf(resourceId)) continue;
      this.servers.get(key)?.close();
      this.servers.get(key)?.closeAllConnections();
      this.servers.delete(key);
      delete this.records[key];
      this.store.markDirty();
    }
  }

  /** Re-opens every host recorded in the state (after a restart). */
  async restore(): Promise<void> {
    for (const [key, rec] of Object.entries(this.records)) {
      const port = await this.listen(key, rec.resourceId, rec.kind, rec.port);
      if (port !== rec.port) {
        rec.port = port;
        this.store.markDirty();
      }
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all(
      [...this.servers.values()].map(
        (s) =>
          new Promise<void>((r) => {
            s.close(() => r());
            s.closeAllConnections();
          }),
      ),
    );
    this.servers.clear();
  }

  private listen(key: string, resourceId: string, kind: HostKind, port: number): Promise<number> {
    const server = https.createServer({ ...this.tls, keepAliveTimeout: 30_000 }, (req, res) => {
      const handler = this.handlers.get(kind) ?? defaultHandlers[kind];
      try {
        handler(req, res, resourceId);
      } catch (e) {
        if (!res.headersSent) reply(res, 500, { error: (e as Error).message });
      }
    });
    const attempt = (p: number) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(p, '127.0.0.1', () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    return attempt(port)
      .catch((e: NodeJS.ErrnoException) => {
        if (port && e.code === 'EADDRINUSE') return attempt(0);
        throw e;
      })
      .then((p) => {
        this.servers.set(key, server);
        return p;
      });
  }
}
