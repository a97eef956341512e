// GET /api/health → 200 {"status":"ok"}: a liveness probe that touches nothing but the worker.
import { app, type HttpFunctionOptions, type HttpResponseInit } from '@azure/functions';
import { json, withErrorHandling } from '../lib/http';

export async function health(): Promise<HttpResponseInit> {
  return json(200, { status: 'ok' }, { 'cache-control': 'no-store' });
}

export const healthFunction: HttpFunctionOptions = {
  methods: ['GET'],
  authLevel: 'function',
  route: 'health',
  handler: withErrorHandling(health),
};

app.http('health', healthFunction);
