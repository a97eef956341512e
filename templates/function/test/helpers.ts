// Runs a handler the way the Functions host would, but in-process: the library's own HttpRequest and
// InvocationContext (its "test mode", no host needed) go in, and the result is turned into the
// library's HttpResponse, which applies the same defaults (e.g. JSON content type) the worker does.
import { HttpRequest, HttpResponse, InvocationContext, type HttpHandler, type HttpRequestInit, type LogLevel } from '@azure/functions';

export interface Call {
  response: HttpResponse;
  logs: Array<{ level: LogLevel; args: unknown[] }>;
}

export const BASE = 'http://localhost:7071/api';

export async function call(handler: HttpHandler, init: HttpRequestInit & { path: string }): Promise<Call> {
  const { path, ...rest } = init;
  const request = new HttpRequest({ method: 'GET', url: BASE + path, ...rest });
  return run(handler, request);
}

export async function run(handler: HttpHandler, request: HttpRequest): Promise<Call> {
  const logs: Call['logs'] = [];
  const context = new InvocationContext({
    invocationId: 'test-invocation',
    functionName: 'test',
    logHandler: (level, ...args) => logs.push({ level, args }),
  });
  const result = await handler(request, context);
  const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
  return { response, logs };
}

/** Sets app settings for the duration of fn, then puts the previous values back. */
export async function withEnv<T>(values: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) delete process.env[k];
      else process.env[k] = val;
    }
  };
  apply(values);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}
