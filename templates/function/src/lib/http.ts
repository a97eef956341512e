// Response helpers shared by the handlers, and the one place that turns an unexpected exception into
// the spec's 500 `{"error": ...}` body.
import type { HttpHandler, HttpResponseInit } from '@azure/functions';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const TEXT_TYPE = 'text/plain; charset=utf-8';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': JSON_TYPE, ...headers } };
}

export function text(status: number, body: string, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, body, headers: { 'content-type': TEXT_TYPE, ...headers } };
}

export function errorBody(status: number, message: string): HttpResponseInit {
  return json(status, { error: message }, { 'cache-control': 'no-store' });
}

/**
 * Wraps a handler so an exception becomes a 500 with a generic message. The details (message, stack)
 * go to the function's log, which lands in Application Insights, never to the caller; the invocation
 * id in the body lets an operator find that log line.
 */
export function withErrorHandling(handler: HttpHandler): HttpHandler {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (err) {
      context.error(`Unhandled error in ${context.functionName}:`, err);
      return errorBody(500, `Internal server error (invocation ${context.invocationId}).`);
    }
  };
}
