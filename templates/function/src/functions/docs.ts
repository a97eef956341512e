// GET /api/docs → Swagger UI's page; GET /api/docs/{asset} → its CSS, JS and icons, bundled from
// swagger-ui-dist. All URLs in the page are relative (see src/lib/docs.ts for why that works both on
// /api/docs and behind the gateway on /public/docs).
import { app, type HttpFunctionOptions, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { CONTENT_SECURITY_POLICY, indexHtml, readAsset } from '../lib/docs';
import { errorBody, withErrorHandling } from '../lib/http';
import { loadSpec } from '../lib/spec';

export async function docsIndex(request: HttpRequest): Promise<HttpResponseInit> {
  if (new URL(request.url).pathname.endsWith('/')) {
    // `<prefix>/docs/` would make the page's relative URLs resolve under `<prefix>/docs/docs/`.
    return { status: 301, headers: { location: '../docs', 'cache-control': 'no-cache' } };
  }
  return {
    status: 200,
    body: indexHtml(loadSpec().info?.title ?? 'API'),
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    },
  };
}

export async function docsAsset(request: HttpRequest): Promise<HttpResponseInit> {
  const asset = readAsset(request.params.asset ?? '');
  if (!asset) return errorBody(404, 'Not found.');
  return {
    status: 200,
    body: asset.body,
    headers: {
      'content-type': asset.contentType,
      'x-content-type-options': 'nosniff',
      'cache-control': 'public, max-age=3600',
    },
  };
}

export const docsFunction: HttpFunctionOptions = {
  methods: ['GET'],
  authLevel: 'function',
  route: 'docs',
  handler: withErrorHandling(docsIndex),
};

export const docsAssetFunction: HttpFunctionOptions = {
  methods: ['GET'],
  authLevel: 'function',
  route: 'docs/{asset}',
  handler: withErrorHandling(docsAsset),
};

app.http('docs', docsFunction);
app.http('docsAsset', docsAssetFunction);
