// /health, /openapi.json and the Swagger UI docs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { docsAssetFunction, docsFunction } from '../src/functions/docs';
import { healthFunction } from '../src/functions/health';
import { openapiFunction } from '../src/functions/openapi';
import { SWAGGER_UI_DIR } from '../src/lib/docs';
import { call, withEnv } from './helpers';

const noSettings = { API_PUBLIC_URL: undefined, APIM_GATEWAY_URL: undefined };

async function openapiDoc(env: Record<string, string | undefined>) {
  return withEnv({ ...noSettings, ...env }, async () => {
    const { response, logs } = await call(openapiFunction.handler, { path: '/openapi.json' });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    return { doc: (await response.json()) as Record<string, any>, logs };
  });
}

test('health answers ok', async () => {
  const { response } = await call(healthFunction.handler, { path: '/health' });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: 'ok' });
});

test('openapi.json is the spec with servers on the gateway path from APIM_GATEWAY_URL', async () => {
  const { doc } = await openapiDoc({ APIM_GATEWAY_URL: 'https://apim-demo.azure-api.net/' });
  assert.equal(doc.openapi, '3.0.2');
  assert.equal(doc.info.title, 'Example API');
  assert.deepEqual(Object.keys(doc.paths).sort(), ['/getter', '/poster']);
  assert.ok(doc.paths['/getter'].get.responses['422']);
  assert.ok(doc.paths['/poster'].post.requestBody.content['text/plain']);
  assert.deepEqual(doc.servers, [{ url: 'https://apim-demo.azure-api.net/example', description: 'API Management gateway' }]);
  // Try it out on the protected path needs the subscription key.
  assert.deepEqual(doc.components.securitySchemes.subscriptionKey, { type: 'apiKey', in: 'header', name: 'Ocp-Apim-Subscription-Key' });
  assert.deepEqual(doc.security, [{ subscriptionKey: [] }]);
  assert.ok(doc.components.schemas.Error, 'the spec components are kept');
});

test('API_PUBLIC_URL wins over APIM_GATEWAY_URL', async () => {
  const { doc } = await openapiDoc({ API_PUBLIC_URL: 'https://api.contoso.com/v1/', APIM_GATEWAY_URL: 'https://apim-demo.azure-api.net' });
  assert.deepEqual(doc.servers.map((s: { url: string }) => s.url), ['https://api.contoso.com/v1']);
});

test('without settings, or with a malformed one, the spec keeps its own servers', async () => {
  const spec = readFileSync(path.join(__dirname, '..', 'api-spec.yml'), 'utf8');
  const own = /url: (\S+)/.exec(spec)?.[1];
  const plain = await openapiDoc({});
  assert.deepEqual(plain.doc.servers.map((s: { url: string }) => s.url), [own]);
  assert.equal(plain.doc.security, undefined);
  assert.equal(plain.logs.length, 0);

  const bad = await openapiDoc({ APIM_GATEWAY_URL: 'apim-demo.azure-api.net' });
  assert.deepEqual(bad.doc.servers.map((s: { url: string }) => s.url), [own]);
  assert.equal(bad.logs[0]?.level, 'warning');
  assert.match(String(bad.logs[0]?.args[0]), /APIM_GATEWAY_URL/);
});

test('the docs page uses only bundled, relative assets and points the UI at ./openapi.json', async () => {
  const { response } = await call(docsFunction.handler, { path: '/docs' });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  const html = await response.text();
  assert.doesNotMatch(html, /https?:\/\//, 'no CDN or other absolute URLs');
  assert.doesNotMatch(html, /(src|href)="\//, 'no root-relative URLs either: they break under /public');
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(refs.includes('docs/swagger-ui.css') && refs.includes('docs/swagger-ui-bundle.js'), refs.join());
  assert.match(html, /<title>Example API/);

  // Resolve every reference the way a browser does, on the function app and behind the gateway.
  for (const page of ['https://fn.example/api/docs', 'https://apim.example/public/docs']) {
    const prefix = page.slice(0, -'/docs'.length);
    for (const ref of refs) {
      const url = new URL(ref, page).href;
      assert.ok(url.startsWith(`${prefix}/docs/`), `${ref} from ${page} → ${url}`);
      const asset = ref.slice('docs/'.length);
      const served = await call(docsAssetFunction.handler, { path: `/docs/${asset}`, params: { asset } });
      assert.equal(served.response.status, 200, `the page's ${asset} is served`);
    }
    const init = await call(docsAssetFunction.handler, { path: '/docs/swagger-initializer.js', params: { asset: 'swagger-initializer.js' } });
    const specUrl = /url: '([^']+)'/.exec(await init.response.text())?.[1];
    assert.equal(new URL(specUrl ?? '', page).href, `${prefix}/openapi.json`);
  }
});

test('docs with a trailing slash redirect relatively to the canonical page', async () => {
  const { response } = await call(docsFunction.handler, { path: '/docs/' });
  assert.equal(response.status, 301);
  const location = response.headers.get('location') ?? '';
  assert.equal(new URL(location, 'https://apim.example/public/docs/').href, 'https://apim.example/public/docs');
  assert.equal(new URL(location, 'https://fn.example/api/docs/').href, 'https://fn.example/api/docs');
});

test('an asset route serves the bundled file with its content type', async () => {
  const { response } = await call(docsAssetFunction.handler, { path: '/docs/swagger-ui-bundle.js', params: { asset: 'swagger-ui-bundle.js' } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  const body = Buffer.from(await response.arrayBuffer());
  assert.ok(body.equals(readFileSync(path.join(SWAGGER_UI_DIR, 'swagger-ui-bundle.js'))), 'the file from swagger-ui-dist');

  const css = await call(docsAssetFunction.handler, { path: '/docs/swagger-ui.css', params: { asset: 'swagger-ui.css' } });
  assert.equal(css.response.headers.get('content-type'), 'text/css; charset=utf-8');
  const png = await call(docsAssetFunction.handler, { path: '/docs/favicon-32x32.png', params: { asset: 'favicon-32x32.png' } });
  assert.equal(png.response.headers.get('content-type'), 'image/png');
  assert.deepEqual([...Buffer.from(await png.response.arrayBuffer()).subarray(1, 4)], [...Buffer.from('PNG')]);
});

test('unknown or unsafe asset names are 404', async () => {
  for (const asset of ['nope.js', 'package.json', 'swagger-ui-bundle.js.map', '..%2Fpackage.json', '../package.json', 'constructor', '__proto__', '']) {
    const { response } = await call(docsAssetFunction.handler, { path: `/docs/${asset}`, params: { asset } });
    assert.equal(response.status, 404, asset);
    assert.deepEqual(await response.json(), { error: 'Not found.' }, asset);
  }
});
