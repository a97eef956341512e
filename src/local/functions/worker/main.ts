// Process entry of a function app's worker (forked by ../worker.ts with cwd = the unpacked package). It does
// what the Node.js language worker does between the host's WorkerInitRequest and InvocationRequests:
// provide '@azure/functions-core' (by intercepting require, as the real worker's setupCoreModule does),
// load the package.json "main" entry points, run appStart hooks, report the indexed functions, then run
// invocations the way InvocationHandler does (programming model → arguments → hooks → handler → response).
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCoreApi, WorkerApp } from './core-api.ts';
import { globFiles } from './glob.ts';
import type { FromWorker, HttpResult, ToWorker } from './protocol.ts';

const app = new WorkerApp();
const send = (msg: FromWorker) => {
  if (process.connected) process.send!(msg);
};
app.log = (level, category, message, invocationId) => {
  send({ type: 'log', level, category, message, invocationId });
  for (const hook of app.hooks.log) {
    try {
      void hook({ level, message, category, invocationContext: undefined, hookData: {}, appHookData: app.appHookData });
    } catch {
      /* a log hook never breaks logging */
    }
  }
};

const coreApi = createCoreApi(app);
const proto = Module.prototype as unknown as { require: (id: string) => unknown };
proto.require = new Proxy(proto.require, {
  apply(target, thisArg, args) {
    return args[0] === '@azure/functions-core' ? coreApi : Reflect.apply(target, thisArg, args);
  },
});

const appDir = process.cwd();

// The worker's default capabilities; the programming model may add to them (getWorkerCapabilities).
const CAPABILITIES: Record<string, string> = {
  RawHttpBodyBytes: 'true',
  RpcHttpTriggerMetadataRemoved: 'true',
  RpcHttpBodyOnly: 'true',
  IgnoreEmptyValuedRpcHttpHeaders: 'true',
  UseNullableValueDictionaryForHttp: 'true',
  WorkerStatus: 'true',
  TypedDataCollection: 'true',
  HandlesWorkerTerminateMessage: 'true',
};

async function loadEntryPoints(): Promise<void> {
  let pkg: { main?: string; type?: string } = {};
  try {
    pkg = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8'));
  } catch (e) {
    app.log('warning', 'system', `Worker failed to load package.json: ${(e as Error).message}`);
  }
  const pattern = pkg.main;
  if (!pattern) return;
  let current: string | undefined;
  try {
    const files = globFiles(appDir, pattern);
    if (!files.length) throw new Error(/[*?{]/.test(pattern) ? 'Found zero files matching the supplied pattern' : 'File does not exist');
    for (const file of files) {
      current = file;
      const full = join(appDir, file);
      app.currentEntryPoint = full;
      try {
        const esm = file.endsWith('.mjs') || (!file.endsWith('.cjs') && pkg.type === 'module');
        if (esm) await import(pathToFileURL(full).href);
        else Module.createRequire(full)(full);
      } finally {
        app.currentEntryPoint = undefined;
      }
    }
  } catch (e) {
    // Node 20+ workers block on an entry point error: the app reports no functions, the host shows the error.
    throw new Error(`Worker was unable to load entry point "${current ?? pattern}": ${(e as Error).message}`);
  }
}

async function runHooks(name: 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation', context: unknown): Promise<void> {
  for (const hook of app.hooks[name]) await hook(context);
}

async function start(): Promise<void> {
  const started = performance.now();
  try {
    await loadEntryPoints();
    if (app.programmingModel?.getCapabilities) await app.programmingModel.getCapabilities({ ...CAPABILITIES });
    await runHooks('appStart', {
      hookData: app.appLevelOnlyHookData,
      appHookData: app.appHookData,
      functionAppDirectory: appDir,
    });
    app.indexingLocked = true;
    if (!app.programmingModel && Object.keys(app.functions).length) throw new Error('No programming model was set by the app.');
    send({ type: 'ready', loadMs: Math.round(performance.now() - started), functions: Object.values(app.functions).map((f) => f.metadata) });
  } catch (e) {
    send({ type: 'failed', error: (e as Error).message });
    setTimeout(() => process.exit(1), 50);
  }
}

async function invoke(msg: Extract<ToWorker, { type: 'invoke' }>): Promise<FromWorker> {
  const fn = app.functions[msg.functionId];
  if (!fn) return { type: 'result', id: msg.id, ok: false, error: `Function code for '${msg.functionId}' is not loaded and cannot be invoked.` };
  const category = `${fn.metadata.name}.Invocation`;
  const request = {
    invocationId: msg.id,
    functionId: msg.functionId,
    inputData: [{ name: msg.triggerName, data: { http: msg.http } }],
    triggerMetadata: {},
    traceContext: { traceParent: msg.traceParent, traceState: '', attributes: {} },
  };
  const coreCtx = {
    invocationId: msg.id,
    request,
    metadata: fn.metadata,
    state: undefined as string | undefined,
    log: (level: string, logCategory: string, message: string) => {
      send({ type: 'log', level, category: logCategory === 'user' ? category : `${category}.system`, message, invocationId: msg.id });
    },
  };
  try {
    const model = await app.programmingModel.getInvocationModel(coreCtx);
    const hookData = {};
    let { context, inputs } = await model.getArguments();
    const pre = { hookData, appHookData: app.appHookData, invocationContext: context, functionCallback: fn.callback, inputs };
    coreCtx.state = 'preInvocationHooks';
    await runHooks('preInvocation', pre).finally(() => (coreCtx.state = undefined));
    inputs = pre.inputs;
    const post = { hookData, appHookData: app.appHookData, invocationContext: context, inputs, result: null as unknown, error: null as unknown };
    coreCtx.state = 'invocation';
    try {
      post.result = await model.invokeFunction(context, inputs, pre.functionCallback);
    } catch (err) {
      post.error = err;
    } finally {
      coreCtx.state = undefined;
    }
    coreCtx.state = 'postInvocationHooks';
    await runHooks('postInvocation', post).finally(() => (coreCtx.state = undefined));
    if (post.error) throw post.error;
    const response = await model.getResponse(context, post.result);
    return { type: 'result', id: msg.id, ok: true, http: httpOf(fn.metadata.bindings, response) };
  } catch (e) {
    const err = e as Error;
    coreCtx.log('error', 'system', `Executed '${fn.metadata.name}' (Failed, Id=${msg.id}): ${err?.stack ?? String(e)}`);
    return { type: 'result', id: msg.id, ok: false, error: err?.message ?? String(e) };
  }
}

/** The HTTP output of an InvocationResponse: the $return binding or a named http output binding. */
function httpOf(bindings: Record<string, any>, response: any): HttpResult | null {
  let data: any;
  if (bindings.$return?.type?.toLowerCase() === 'http') data = response.returnValue;
  else {
    const name = Object.keys(bindings).find((k) => bindings[k].direction === 'out' && bindings[k].type?.toLowerCase() === 'http');
    data = response.outputData?.find((o: any) => o.name === name)?.data;
  }
  const http = data?.http;
  if (!http) return null;
  const body = http.body;
  const bytes: Uint8Array =
    body?.bytes !== undefined ? new Uint8Array(body.bytes) : body?.string !== undefined ? Buffer.from(body.string) : body?.json !== undefined ? Buffer.from(body.json) : new Uint8Array();
  return { statusCode: Number(http.statusCode ?? 200), headers: { ...(http.headers ?? {}) }, cookies: (http.cookies ?? []).map(setCookie), body: bytes };
}

/** RpcHttpCookie → a Set-Cookie header value (RFC 6265), as the host writes it. */
function setCookie(c: any): string {
  const parts = [`${c.name}=${c.value}`];
  if (c.domain?.value) parts.push(`domain=${c.domain.value}`);
  if (c.path?.value) parts.push(`path=${c.path.value}`);
  const exp = c.expires?.value;
  if (exp && exp.seconds !== undefined) parts.push(`expires=${new Date(Number(exp.seconds) * 1000).toUTCString()}`);
  if (c.maxAge?.value !== undefined && c.maxAge?.value !== null) parts.push(`max-age=${c.maxAge.value}`);
  if (c.secure?.value) parts.push('secure');
  if (c.sameSite === 'lax' || c.sameSite === 'strict') parts.push(`samesite=${c.sameSite}`);
  else if (c.sameSite === 'explicitNone') parts.push('samesite=none');
  if (c.httpOnly?.value) parts.push('httponly');
  return parts.join('; ');
}

process.on('message', (msg: ToWorker) => {
  if (msg.type === 'invoke') void invoke(msg).then(send);
  else if (msg.type === 'terminate') {
    void runHooks('appTerminate', { hookData: app.appLevelOnlyHookData, appHookData: app.appHookData })
      .catch(() => undefined)
      .finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));

await start();
