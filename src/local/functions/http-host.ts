// What a function app's host name serves: GET / (the default page), a few admin endpoints (master key), and
// the HTTP triggers under the route prefix. The request goes to the worker as the host sends it (RpcHttp:
// url, method, lower-cased headers, query and route params as nullable strings, body as bytes), and the
// response comes back as the app's HttpResponse. The host's own answers have empty bodies: 404 for no
// function, 401 for a missing or wrong key, 500 when the invocation fails.
import { randomBytes, randomUUID } from 'node:crypto';
import { readBody } from '../http/read-body.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalAzureContext } from '../context.ts';
import type { FunctionHostManager } from './manager.ts';
import { authorized, keyFromRequest, levelOfKey } from './keys.ts';
import { matchRoute } from './routes.ts';
import type { RpcHttpRequest } from './worker/protocol.ts';

/** Functions' default maxRequestBodySize (100 MB). */
const MAX_BODY = 100 * 1024 * 1024;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade']);

function empty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Length': '0', ...headers });
  res.end();
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}


const DEFAULT_PAGE = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Your Functions 4.0 app is up and running</title></head>
<body><h1>Your Functions 4.0 app is up and running</h1><p>Azure Functions is an event-based serverless compute experience to accelerate your development.</p></body></html>`;

export function functionAppHandler(env: LocalAzureContext, manager: FunctionHostManager) {
  return (req: IncomingMessage, res: ServerResponse, siteId: string): void => {
    handle(env, manager, req, res, siteId).catch((e) => {
      process.stderr.write(`local azure: function host ${req.method} ${req.url}: ${(e as Error).stack}\n`);
      if (!res.headersSent) empty(res, 500);
      else res.destroy();
    });
  };
}

async function handle(env: LocalAzureContext, manager: FunctionHostManager, req: IncomingMessage, res: ServerResponse, siteId: string): Promise<void> {
  const started = Date.now();
  const url = new URL(req.url ?? '/', `https://${req.headers.host ?? '127.0.0.1'}`);
  const method = (req.method ?? 'GET').toUpperCase();
  const site = env.store.get(siteId);
  if (!site) return empty(res, 404);
  const path = url.pathname;

  if (path === '/' && (method === 'GET' || method === 'HEAD')) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(DEFAULT_PAGE) });
    res.end(method === 'HEAD' ? undefined : DEFAULT_PAGE);
    return;
  }
  if (/^\/admin\/host\/ping\/?$/i.test(path)) return empty(res, 200);
  if (/^\/admin\//i.test(path)) return admin(env, manager, req, res, siteId, url);

  const rt = manager.runtimeOf(siteId);
  // A host that is (re)starting holds requests, as a cold start does, for at most 30 s.
  if (rt?.ready && (!rt.worker || rt.holding)) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([rt.ready, new Promise((r) => (timer = setTimeout(r, 30_000)))]);
    clearTimeout(timer);
  }
  const worker = rt?.worker;
  if (!rt || !worker) return empty(res, rt?.ready ? 503 : 404);
  const match = matchRoute(rt.routes, method, path);
  if (!match) return empty(res, 404);
  const { route, params } = match;
  const level = levelOfKey(env, siteId, route.functionName, keyFromRequest(req, url.searchParams));
  if (!authorized(route.authLevel, level)) return empty(res, 401);

  const body = await readBody(req, MAX_BODY);
  if (!body) return empty(res, 413);
  const http = rpcHttp(req, url, method, params, body);
  const invocationId = randomUUID();
  const traceParent = traceParentOf(req);
  const outcome = await worker.invoke(invocationId, route.functionId, route.triggerName, http, traceParent);

  let status: number;
  if (!outcome.ok) {
    status = 500;
    empty(res, 500);
  } else if (!outcome.http) {
    status = 204;
    empty(res, 204);
  } else {
    const r = outcome.http;
    status = r.statusCode;
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(r.headers)) if (!HOP_BY_HOP.has(k.toLowerCase())) headers[k] = v;
    if (r.cookies.length) headers['Set-Cookie'] = r.cookies;
    headers['Content-Length'] = String(r.body.byteLength);
    res.writeHead(status, headers);
    res.end(method === 'HEAD' ? undefined : Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength));
  }
  manager.invocations.add(siteId, {
    functionName: route.functionName,
    invocationId,
    status: outcome.ok ? 'Succeeded' : 'Failed',
    durationMs: Date.now() - started,
    timestamp: new Date(started).toISOString(),
    method,
    url: `${url.pathname}${url.search}`,
    httpStatus: status,
    ...(outcome.ok ? {} : { error: outcome.error }),
  });
}

/** RpcHttp as the host builds it for a worker with UseNullableValueDictionaryForHttp and RawHttpBodyBytes. */
function rpcHttp(req: IncomingMessage, url: URL, method: string, params: Record<string, string>, body: Buffer): RpcHttpRequest {
  const nullableHeaders: RpcHttpRequest['nullableHeaders'] = {};
  // StringValues.ToString(): repeated headers joined with ','.
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    nullableHeaders[name] = { value: nullableHeaders[name] ? `${nullableHeaders[name].value},${raw[i + 1]}` : raw[i + 1] };
  }
  const nullableQuery: RpcHttpRequest['nullableQuery'] = {};
  for (const key of new Set(url.searchParams.keys())) nullableQuery[key] = { value: url.searchParams.getAll(key).join(',') };
  const nullableParams: RpcHttpRequest['nullableParams'] = {};
  for (const [k, v] of Object.entries(params)) nullableParams[k] = { value: v };
  return {
    method,
    url: url.toString(),
    nullableHeaders,
    nullableQuery,
    nullableParams,
    ...(body.length ? { body: { bytes: new Uint8Array(body.buffer, body.byteOffset, body.length) } } : {}),
    identities: [],
  };
}

/** The caller's W3C traceparent, else a new one (the host starts an activity per invocation). */
function traceParentOf(req: IncomingMessage): string {
  const given = req.headers.traceparent;
  if (typeof given === 'string' && /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/.test(given)) return given;
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;
}

/** /admin/*: the master key only, as the host's admin API requires. */
function admin(env: LocalAzureContext, manager: FunctionHostManager, req: IncomingMessage, res: ServerResponse, siteId: string, url: URL): void {
  if (levelOfKey(env, siteId, undefined, keyFromRequest(req, url.searchParams)) !== 'admin') return empty(res, 401);
  const rt = manager.runtimeOf(siteId);
  if (/^\/admin\/host\/status\/?$/i.test(url.pathname) && req.method === 'GET') {
    return json(res, 200, {
      id: siteId.split('/').pop()!.toLowerCase(),
      state: rt?.worker ? 'Running' : rt?.ready ? 'Initialized' : 'Default',
      version: '4.1044.0.0',
      versionDetails: '4.1044.0.0 Commit hash: local',
      platformVersion: '',
      instanceId: siteId.split('/').pop()!.toLowerCase(),
      computerName: 'localhost',
      processUptime: Math.round(process.uptime() * 1000),
      functionAppContentEditingState: 'NotAllowed',
      ...(rt?.info?.extensionBundle ? { extensionBundle: rt.info.extensionBundle } : {}),
    });
  }
  if (/^\/admin\/functions\/?$/i.test(url.pathname) && req.method === 'GET') {
    return json(res, 200, (rt?.worker?.functions ?? []).map((f) => ({ name: f.name, config: { bindings: f.rawBindings.map((b) => JSON.parse(b)) } })));
  }
  empty(res, 404);
}
