// The live gateway: each APIM service's loopback HTTPS host (hosts.ts, kind 'apim-gateway') runs the pure core
// (gateway.ts) on real HTTP. Per request: the service's current config (the caller's configOf, cached by the
// provider and rebuilt on any ARM change), one GatewayState per service (rate-limit counters survive config
// changes), handleRequest; on 'forward' the client's body streams to the backend (forward.ts) and the backend's
// body streams back unless an outbound policy replaced it; transport failures and timeouts go through
// handleBackendFailure (APIM's opaque 500 unless on-error says otherwise).
//
// Backends: the local Azure is offline, so only loopback backends are contacted (function-app hosts are
// https://127.0.0.1:<port>/api, signed by the local CA, which is the only extra trust added; verification stays
// on). Any other host fails as an unresolvable name does on APIM: 500 with APIM's body.
//
// Every request is recorded per service (gatewayRequestsOf) without secrets: subscription keys in the query are
// masked, headers are not recorded.
import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream';
import type { LocalAzureContext } from '../context.ts';
import { keyOf } from '../state/store.ts';
import { handleBackendFailure, handleRequest, handleResponse } from './gateway.ts';
import { BackendTimeoutError, sendToBackend, type BackendResponse } from './forward.ts';
import type { GatewayConfig, GatewayRequest, GatewayResponse, HeaderMap } from './model.ts';
import { newGatewayState, type GatewayState, type PolicyContext } from './policies.ts';
import { DEFAULT_KEY_QUERY } from './subscription-check.ts';

export interface GatewayRequestRecord {
  /** ISO time the request arrived. */
  time: string;
  method: string;
  /** Path and query as received, subscription keys masked. */
  path: string;
  /** API and operation names (ids) when routing matched. */
  api?: string;
  operation?: string;
  /** Name of the subscription whose key was accepted. */
  subscription?: string;
  status: number;
  durationMs: number;
  /** The backend's status; absent when nothing was forwarded, 0 when the backend could not be reached. */
  backendStatus?: number;
  /** Why the backend call failed (transport error or timeout). */
  backendError?: string;
}

interface Runtime {
  env: LocalAzureContext;
  configOf: (serviceId: string) => GatewayConfig | undefined;
  states: Map<string, GatewayState>;
  logs: Map<string, GatewayRequestRecord[]>;
  agents: { http: HttpAgent; https: HttpsAgent };
}

/** Requests kept per service (oldest dropped first). */
const LOG_LIMIT = 1000;

const runtimes = new WeakMap<LocalAzureContext, Runtime>();

class UnreachableBackendError extends Error {}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Serves every APIM gateway host of this local Azure from `configOf` (the provider's per-service config). */
export function serveGateway(env: LocalAzureContext, configOf: (serviceId: string) => GatewayConfig | undefined): void {
  const ca = env.caCertPem;
  const rt: Runtime = {
    env,
    configOf,
    states: new Map(),
    logs: new Map(),
    // Keep-alive pools: a fresh TLS handshake per forwarded request would dominate the gateway's overhead.
    agents: { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true, ...(ca ? { ca } : {}) }) },
  };
  runtimes.set(env, rt);
  env.hosts.setHandler('apim-gateway', (req, res, serviceId) => {
    serve(rt, req, res, serviceId).catch((e: Error) => {
      // A bug in the wiring, not an APIM behaviour: answer APIM's opaque 500 if nothing was sent yet.
      if (!res.headersSent) writeResponse(res, req.method ?? 'GET', internal500());
      else res.destroy(e);
    });
  });
}

/** The requests a service's gateway served, oldest first (a copy). */
export function gatewayRequestsOf(env: LocalAzureContext, serviceId: string): GatewayRequestRecord[] {
  return [...(runtimes.get(env)?.logs.get(keyOf(serviceId)) ?? [])];
}

const internal500 = (): GatewayResponse => ({
  status: 500,
  headers: { 'content-type': ['application/json; charset=utf-8'] },
  body: { kind: 'text', text: JSON.stringify({ statusCode: 500, message: 'Internal server error', activityId: randomUUID() }) },
});

function headerMapOf(req: IncomingMessage): HeaderMap {
  const out: HeaderMap = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) (out[req.rawHeaders[i].toLowerCase()] ??= []).push(req.rawHeaders[i + 1]);
  return out;
}

const hasBody = (req: IncomingMessage): boolean =>
  req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

const isLoopback = (hostname: string): boolean => {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
};

/** The request line's path with every subscription-key query value masked. */
function maskedPath(url: string, config: GatewayConfig): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = new Set([DEFAULT_KEY_QUERY, ...config.apis.map((a) => a.properties.subscriptionKeyParameterNames?.query).filter((n): n is string => !!n)].map((n) => n.toLowerCase()));
  const query = url
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        /* keep as is */
      }
      return eq >= 0 && names.has(decoded.toLowerCase()) ? `${name}=***` : part;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}

async function serve(rt: Runtime, req: IncomingMessage, res: ServerResponse, serviceId: string): Promise<void> {
  const started = performance.now();
  const config = rt.configOf(serviceId);
  if (!config) {
    // A deleted (or not yet created) service has no gateway: like an unresolvable host name, nothing answers.
    req.socket.destroy();
    return;
  }
  const key = keyOf(serviceId);
  let state = rt.states.get(key);
  if (!state) rt.states.set(key, (state = newGatewayState()));
  const method = req.method ?? 'GET';
  const record: GatewayRequestRecord = { time: new Date().toISOString(), method, path: maskedPath(req.url ?? '/', config), status: 0, durationMs: 0 };
  res.once('close', () => {
    record.status = res.statusCode;
    record.durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    let log = rt.logs.get(key);
    if (!log) rt.logs.set(key, (log = []));
    log.push(record);
    if (log.length > LOG_LIMIT) log.splice(0, log.length - LOG_LIMIT);
  });

  const greq: GatewayRequest = {
    method,
    url: req.url ?? '/',
    headers: headerMapOf(req),
    body: hasBody(req) ? { kind: 'passthrough' } : { kind: 'none' },
    clientIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    protocol: 'https',
    host: req.headers.host ?? '',
  };
  const decision = handleRequest(config, greq, { state, requestId: randomUUID() });
  if (decision.ctx) {
    record.api = decision.ctx.route.api.name || undefined;
    record.operation = decision.ctx.route.operation.name || undefined;
    record.subscription = decision.ctx.subscription?.name;
  }
  if (decision.action === 'respond') {
    req.resume();
    writeResponse(res, method, decision.response);
    return;
  }

  let backend: BackendResponse;
  try {
    backend = await sendToBackend(decision.request, {
      body: req,
      ca: rt.env.caCertPem,
      agents: rt.agents,
      connectTo: (url) => {
        if (!isLoopback(url.hostname)) throw new UnreachableBackendError(`The remote name could not be resolved: '${url.hostname}'`);
        return undefined;
      },
    });
  } catch (e) {
    req.resume();
    record.backendStatus = 0;
    record.backendError = (e as Error).message;
    writeResponse(res, method, backendFailure(decision.ctx, e as Error));
    return;
  }
  record.backendStatus = backend.status;
  const out = handleResponse(decision.ctx, { status: backend.status, reason: backend.reason, headers: backend.headers, body: { kind: 'passthrough' } });
  if (out.body.kind === 'passthrough') {
    writeHead(res, method, out);
    pipeline(backend.body, res, () => {
      /* errors end both streams; the client sees a cut response, as with APIM when the backend drops mid-body */
    });
  } else {
    backend.body.resume();
    writeResponse(res, method, out);
  }
}

function backendFailure(ctx: PolicyContext, e: Error): GatewayResponse {
  const timedOut = e instanceof BackendTimeoutError;
  const message = timedOut || e instanceof UnreachableBackendError ? e.message : `Error occurred while calling backend service: ${e.message}`;
  return handleBackendFailure(ctx, message, timedOut);
}

function writeHead(res: ServerResponse, method: string, out: GatewayResponse): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(out.headers)) if (v.length && !HOP_BY_HOP.has(k)) headers[k] = v.length === 1 ? v[0] : v;
  if (out.body.kind === 'text') headers['content-length'] = String(Buffer.byteLength(out.body.text));
  else if (out.body.kind === 'none' && out.status !== 204 && out.status !== 304 && !(out.status >= 100 && out.status < 200)) {
    if (method !== 'HEAD' || headers['content-length'] === undefined) headers['content-length'] = '0';
  }
  if (out.reason) res.writeHead(out.status, out.reason, headers);
  else res.writeHead(out.status, headers);
}

/** A response the gateway produced itself (or whose body a policy set). */
function writeResponse(res: ServerResponse, method: string, out: GatewayResponse): void {
  writeHead(res, method, out);
  res.end(out.body.kind === 'text' && method !== 'HEAD' ? out.body.text : undefined);
}
