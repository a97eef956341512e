// A small HTTPS client for the SCM (Kudu / One Deploy) endpoint, which no SDK covers. TLS is always
// verified: on the local Azure against its CA (target.ca), on Azure against the system roots.
import https from 'node:https';
import type { Redactor } from './secrets.ts';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface HttpOptions {
  method: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** PEM of a CA to trust instead of the system roots (the local Azure's). */
  ca?: string;
  timeoutMs?: number;
}

/** A transport failure (no HTTP status): connection refused or reset, timeout, TLS error. */
export class TransportError extends Error {
  readonly code?: string;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
  }
}

export type HttpClient = (url: string, o: HttpOptions) => Promise<HttpResponse>;

export const httpsRequest: HttpClient = (url, o) =>
  new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: o.method,
        headers: { ...(o.body ? { 'Content-Length': String(o.body.length) } : {}), ...o.headers },
        ...(o.ca ? { ca: o.ca } : {}),
        timeout: o.timeoutMs ?? 300_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => reject(new TransportError(e.message, (e as NodeJS.ErrnoException).code)));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${Math.round((o.timeoutMs ?? 300_000) / 1000)}s`), { code: 'ETIMEDOUT' })));
    req.on('error', (e) => reject(new TransportError(e.message, (e as NodeJS.ErrnoException).code)));
    req.end(o.body);
  });

/** Wraps a client so every request is logged (method, URL, status, time) with secrets masked. */
export function loggingClient(inner: HttpClient, log: ((line: string) => void) | undefined, redactor: Redactor): HttpClient {
  if (!log) return inner;
  return async (url, o) => {
    const started = Date.now();
    try {
      const res = await inner(url, o);
      log(redactor.mask(`${o.method} ${url} → ${res.status} (${Date.now() - started} ms${o.body ? `, sent ${o.body.length} bytes` : ''})`));
      return res;
    } catch (e) {
      log(redactor.mask(`${o.method} ${url} → ${(e as Error).message}`));
      throw e;
    }
  };
}

export const header = (res: HttpResponse, name: string): string | undefined => {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

export function parseJson(text: string): any {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
