// GET /api/openapi.json → the shipped spec as JSON, with `servers` pointing at the gateway
// (API_PUBLIC_URL, else APIM_GATEWAY_URL + the spec's API path; see src/lib/spec.ts).
import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { json, withErrorHandling } from '../lib/http';
import { readSettings } from '../lib/settings';
import { publicDocument } from '../lib/spec';

export async function openapi(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const doc = publicDocument(readSettings(), (message) => context.warn(message));
  // no-cache: a browser revalidates, so a changed setting or redeployed spec shows up on reload.
  return json(200, doc, { 'cache-control': 'no-cache' });
}

export const openapiFunction: HttpFunctionOptions = {
  methods: ['GET'],
  authLevel: 'function',
  route: 'openapi.json',
  handler: withErrorHandling(openapi),
};

app.http('openapi', openapiFunction);
