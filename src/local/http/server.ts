// The HTTPS surface of the local Azure's control plane: auth, faults, routing, api-version, throttling,
// ARM error envelopes and the request log. Providers only see parsed requests and return replies.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { LocalAzureContext } from '../context.ts';
import { ArmError } from './arm-error.ts';
import type { Method, Reply, RequestContext, Route } from './router.ts';
import type { RequestKind } from '../throttle.ts';
import type { FaultAction } from '../faults.ts';
import { readBody } from './read-body.ts';

const MAX_BODY = 32 * 1024 * 1024;
const KNOWN_NAMESPACES = new Map<string, string>();

/** Namespaces the local Azure serves: unknown types inside them get InvalidResourceType, others InvalidResourceNamespace. */
export function registerNamespace(ns: string): void {
  KNOWN_NAMESPACES.set(ns.toLowerCase(), ns);
}

export type AdminHandler = (req: IncomingMessage, url: URL, body: Buffer) => Promise<Reply | undefined>;

export function createArmServer(env: LocalAzureContext, tls: { cert: string; key: string }, admin: AdminHandler): https.Server {
  const server = https.createServer({ cert: tls.cert, key: tls.key, keepAliveTimeout: 30_000 }, (req, res) => {
    handle(env, admin, req, res).catch((e) => {
      process.stderr.write(`local azure: unhandled ${(e as Error).stack}\n`);
      if (!res.headersSent) send(res, { status: 500, body: new ArmError(500, 'InternalServerError', 'Internal error').toBody() });
    });
  });
  return server;
}


function kindOf(method: string, route: Route | undefined): RequestKind {
  if (method === 'GET' || method === 'HEAD' || (method === 'POST' && route?.readOnly)) return 'reads';
  return method === 'DELETE' ? 'deletes' : 'writes';
}

function send(res: ServerResponse, reply: Reply): string | undefined {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let payload: string | undefined;
  if (reply.body !== undefined) {
    payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json; charset=utf-8';
  }
  headers['Content-Length'] = String(payload ? Buffer.byteLength(payload) : 0);
  res.writeHead(reply.status, headers);
  res.end(payload);
  return payload;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function handle(env: LocalAzureContext, admin: AdminHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  // Clients that join an endpoint and an id starting with '/' send '//subscriptions/...'; ARM accepts it.
  const url = new URL((req.url ?? '/').replace(/^\/{2,}/, '/'), env.baseUrl || 'https://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase() as Method;
  const raw = await readBody(req, MAX_BODY).catch(() => undefined);
  if (!raw) {
    const tooLarge = new ArmError(413, 'RequestEntityTooLarge', 'The request content is too large.');
    if (!res.headersSent && !res.destroyed) send(res, { status: tooLarge.status, body: tooLarge.toBody() });
    return;
  }

  if (url.pathname.startsWith('/.local/')) {
    const reply = await admin(req, url, raw);
    send(res, reply ?? { status: 404, body: { error: { code: 'NotFound', message: 'Unknown admin endpoint.' } } });
    return;
  }

  const requestId = randomUUID();
  const apiVersion = url.searchParams.get('api-version');
  const matches = env.router.match(url.pathname);
  const route = matches.find((m) => m.route.method === method)?.route;
  const kind = kindOf(method, route);
  let faultNote: string | undefined;
  let reply: Reply;
  let firedFaults: FaultAction[] = [];

  try {
    env.lro.settleDue();
    const auth = req.headers.authorization;
    if (!auth) throw authFailed("Authentication failed. The 'Authorization' header is missing.");
    if (!/^Bearer\s+\S+/i.test(auth)) throw authFailed("Authentication failed. The 'Authorization' header is provided in an invalid format.");

    firedFaults = env.faults.match(method, url.pathname);
    for (const f of firedFaults) {
      if (f.type === 'latency') await sleep(f.ms);
    }
    if (firedFaults.some((f) => f.type === 'drop')) {
      env.log.add(logEntry(env, url, method, apiVersion, 0, started, kind, route, 'drop'));
      req.socket.destroy();
      return;
    }
    const statusFault = firedFaults.find((f) => f.type === 'status');
    if (statusFault && statusFault.type === 'status') {
      faultNote = `status ${statusFault.status}`;
      throw injected(statusFault);
    }
    if (firedFaults.length) faultNote = firedFaults.map((f) => f.type).join(',');

    reply = await dispatch(env, req, url, method, raw, apiVersion, matches, route, firedFaults);
  } catch (e) {
    if (e instanceof ArmError) {
      reply = { status: e.status, body: e.toBody(), headers: e.headers };
    } else {
      process.stderr.write(`local azure: ${method} ${url.pathname}: ${(e as Error).stack}\n`);
      reply = { status: 500, body: new ArmError(500, 'InternalServerError', 'Encountered internal server error.').toBody() };
    }
  }
  env.store.flush();

  const headers: Record<string, string> = {
    'x-ms-request-id': requestId,
    'x-ms-correlation-request-id': String(req.headers['x-ms-correlation-request-id'] ?? requestId),
    'x-ms-routing-request-id': `LOCAL:${requestId}`,
    ...(reply.headers ?? {}),
  };
  const out = { ...reply, headers };
  const payload = send(res, out);
  const entry = logEntry(env, url, method, apiVersion, reply.status, started, kind, route, faultNote);
  if (env.recordBodies) {
    entry.request = { url: url.toString(), headers: flatHeaders(req.headers), body: parseMaybe(raw) };
    entry.response = { headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])), body: payload ? parseMaybe(Buffer.from(payload)) : undefined };
    if (payload) entry.response.headers['content-type'] = 'application/json; charset=utf-8';
  }
  env.log.add(entry);
}

async function dispatch(
  env: LocalAzureContext,
  req: IncomingMessage,
  url: URL,
  method: Method,
  raw: Buffer,
  apiVersion: string | null,
  matches: ReturnType<LocalAzureContext['router']['match']>,
  route: Route | undefined,
  faults: FaultAction[],
): Promise<Reply> {
  checkSubscription(env, url.pathname);
  if (!matches.length) throw unknownRoute(url.pathname, apiVersion);
  if (!route) throw new ArmError(405, 'MethodNotAllowed', `The requested method '${method}' is not allowed for the resource.`);
  if (!apiVersion) throw new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  if (!route.apiVersions.includes(apiVersion)) throw unsupportedApiVersion(route, apiVersion);

  const kind = kindOf(method, route);
  const t = env.throttle.take(env.subscriptionId, kind);
  if (!t.ok) {
    throw new ArmError(
      429,
      'SubscriptionRequestsThrottled',
      `Number of '${kind.replace(/s$/, '')}' requests for subscription '${env.subscriptionId}' actor 'local' exceeded. Please try again after '${t.retryAfter}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling`,
      { headers: { 'Retry-After': String(t.retryAfter) } },
    );
  }

  let body: unknown = undefined;
  if (raw.length) {
    const text = raw.toString('utf8');
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw new ArmError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: '${(e as Error).message}'.`);
    }
  }
  const matched = matches.find((m) => m.route === route)!;
  const ctx: RequestContext = { method, path: url.pathname, params: matched.params, query: url.searchParams, headers: req.headers, body, rawBody: raw, apiVersion, env, faults };
  const reply = await route.handler(ctx);
  const headerName = `x-ms-ratelimit-remaining-subscription-${kind}`;
  return { ...reply, headers: { [headerName]: String(t.remaining), [`x-ms-ratelimit-remaining-subscription-global-${kind}`]: String(t.remaining * 15), ...(reply.headers ?? {}) } };
}

function checkSubscription(env: LocalAzureContext, path: string): void {
  const m = /^\/subscriptions\/([^/]+)/i.exec(path);
  if (!m) return;
  const sub = decodeURIComponent(m[1]);
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sub)) {
    throw new ArmError(400, 'InvalidSubscriptionId', `The provided subscription identifier '${sub}' is malformed or invalid.`);
  }
  if (sub.toLowerCase() !== env.subscriptionId.toLowerCase()) {
    throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
  }
}

function unknownRoute(path: string, apiVersion: string | null): ArmError {
  const m = /\/providers\/([^/]+)\/([^/]+)/i.exec(path);
  if (!m) return new ArmError(404, 'NotFound', `The requested path '${path}' was not found.`);
  const ns = KNOWN_NAMESPACES.get(m[1].toLowerCase());
  if (!ns) return new ArmError(400, 'InvalidResourceNamespace', `The resource namespace '${m[1]}' is invalid.`);
  // Name the deepest type segment: /providers/NS/t1/n1/t2/n2 → t1/t2
  const rest = path.slice(path.toLowerCase().indexOf(`/providers/${m[1].toLowerCase()}/`) + `/providers/${m[1]}/`.length).split('/');
  const typeName = rest.filter((_, i) => i % 2 === 0).join('/');
  return new ArmError(
    400,
    'InvalidResourceType',
    `The resource type '${typeName}' could not be found in the namespace '${ns}' for api version '${apiVersion ?? ''}'.`,
  );
}

function unsupportedApiVersion(route: Route, apiVersion: string): ArmError {
  const supported = route.apiVersions.join(', ');
  if (/^microsoft\.resources\//i.test(route.resourceType)) {
    return new ArmError(400, 'InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid. The supported versions are '${supported}'.`);
  }
  const type = route.resourceType.split('/').slice(1).join('/');
  return new ArmError(
    400,
    'NoRegisteredProviderFound',
    `No registered resource provider found for location 'global' and API version '${apiVersion}' for type '${type}'. The supported api-versions are '${supported}'.`,
  );
}

function authFailed(message: string): ArmError {
  return new ArmError(401, 'AuthenticationFailed', message, {
    headers: { 'WWW-Authenticate': 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The authentication failed because of missing \'Authorization\' header."' },
  });
}

function injected(f: Extract<FaultAction, { type: 'status' }>): ArmError {
  const defaults: Record<number, [string, string]> = {
    429: ['TooManyRequests', 'The request is being throttled (injected fault).'],
    500: ['InternalServerError', 'Encountered internal server error (injected fault).'],
    503: ['ServiceUnavailable', 'The service is unavailable (injected fault).'],
  };
  const [code, message] = defaults[f.status] ?? ['InjectedFault', 'Injected fault.'];
  const headers: Record<string, string> = {};
  if (f.status === 429 || f.status === 503 || f.retryAfter !== undefined) headers['Retry-After'] = String(f.retryAfter ?? 0);
  return new ArmError(f.status, f.code ?? code, f.message ?? message, { headers });
}

function logEntry(env: LocalAzureContext, url: URL, method: string, apiVersion: string | null, status: number, started: number, kind: RequestKind, route: Route | undefined, fault?: string) {
  return {
    time: new Date().toISOString(),
    method,
    path: url.pathname,
    apiVersion,
    status,
    durationMs: Math.round((performance.now() - started) * 100) / 100,
    kind: (kind === 'reads' ? 'read' : kind === 'writes' ? 'write' : 'delete') as 'read' | 'write' | 'delete',
    resourceType: route?.resourceType,
    fault,
  } as import('../request-log.ts').RequestRecord;
}

function flatHeaders(h: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && k !== 'authorization') out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function parseMaybe(buf: Buffer): unknown {
  if (!buf.length) return undefined;
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    return buf.toString('utf8');
  }
}
