// The one impure piece: send a decided BackendRequest with node:http(s) and hand back status, headers and the
// body stream. Local data-plane hosts (e.g. `<app>.azurewebsites.net`) live on loopback ports, so `connectTo`
// lets the caller say where to connect while the URL, Host header and TLS server name stay the backend's own.
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import type { BackendRequest } from './backend.ts';
import type { HeaderMap } from './model.ts';

export interface ForwardOptions {
  /** Where to open the connection for a URL (default: its own host and port). */
  connectTo?: (url: URL) => { host: string; port: number } | undefined;
  /** Extra CA (the local Azure's) and TLS strictness for https backends. */
  ca?: string | Buffer;
  rejectUnauthorized?: boolean;
  /** The client's body, streamed when the request body is `passthrough`. */
  body?: Readable;
  maxRedirects?: number;
  /** Connection pools (keep-alive) per protocol; default: node's global agents. */
  agents?: { http?: HttpAgent; https?: HttpsAgent };
}

export interface BackendResponse {
  status: number;
  reason?: string;
  headers: HeaderMap;
  body: IncomingMessage;
}

export class BackendTimeoutError extends Error {}

function toHeaderMap(res: IncomingMessage): HeaderMap {
  const out: HeaderMap = {};
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const k = res.rawHeaders[i].toLowerCase();
    (out[k] ??= []).push(res.rawHeaders[i + 1]);
  }
  return out;
}

function once(req: BackendRequest, url: URL, opts: ForwardOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const target = opts.connectTo?.(url) ?? { host: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) };
    const https = url.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    const r = send({
      host: target.host,
      port: target.port,
      method: req.method,
      path: url.pathname + url.search,
      headers: req.headers,
      // SNI carries host names only (RFC 6066); an IP backend is still verified against the certificate's IP SAN.
      servername: isIP(url.hostname) ? undefined : url.hostname,
      agent: (https ? opts.agents?.https : opts.agents?.http) ?? undefined,
      ca: opts.ca,
      rejectUnauthorized: opts.rejectUnauthorized ?? true,
      timeout: req.timeoutMs,
    });
    r.on('timeout', () => r.destroy(new BackendTimeoutError(`The backend did not respond within ${req.timeoutMs / 1000} seconds.`)));
    r.on('error', reject);
    r.on('response', resolve);
    if (req.body.kind === 'text') r.end(req.body.text);
    else if (req.body.kind === 'passthrough' && opts.body) {
      const body = opts.body;
      // A client that goes away mid-upload must not leave the backend request waiting for the rest.
      body.once('error', (e) => r.destroy(e));
      body.once('close', () => {
        if (!body.readableEnded) r.destroy(new Error('The client closed the connection before the request body was complete.'));
      });
      body.pipe(r);
    }
    else r.end();
  });
}

export async function sendToBackend(req: BackendRequest, opts: ForwardOptions = {}): Promise<BackendResponse> {
  let url = new URL(req.url);
  let current = req;
  for (let hop = 0; ; hop++) {
    const res = await once(current, url, opts);
    const location = res.headers.location;
    if (current.followRedirects && location && [301, 302, 303, 307, 308].includes(res.statusCode ?? 0) && hop < (opts.maxRedirects ?? 10)) {
      res.resume();
      url = new URL(location, url);
      const keepsBody = res.statusCode === 307 || res.statusCode === 308;
      current = { ...current, method: keepsBody ? current.method : 'GET', body: keepsBody ? current.body : { kind: 'none' }, headers: { ...current.headers, host: url.host } };
      continue;
    }
    return { status: res.statusCode ?? 502, reason: res.statusMessage, headers: toHeaderMap(res), body: res };
  }
}
