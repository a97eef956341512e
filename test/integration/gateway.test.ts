// The live APIM gateway: a Consumption service configured through the real @azure/arm-apimanagement client, called
// over HTTPS on its loopback gateway host (trusting only the local CA), forwarding to a test backend that serves
// with the local Azure's own CA-signed certificate (as function-app hosts do).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { startHarness, fast, type LocalAzureHarness } from '../helpers/local-azure.ts';
import { gatewayRequestsOf } from '../../src/local/arm/providers/apim/index.ts';

let h: LocalAzureHarness;
let backend: https.Server;
let backendUrl: string;
let gatewayUrl: string;
let serviceId: string;
const rg = 'rg-gw';
const svc = 'apim-fn-gw';
const SECRET = 'fn-secret-4f1c9a';
const consumption = { location: 'westeurope', sku: { name: 'Consumption', capacity: 0 }, publisherEmail: 'ops@example.com', publisherName: 'Ops' };
const SPEC = readFileSync(new URL('../../api-spec.yml', import.meta.url), 'utf8');
/** What `apim-fn up` puts at API scope (src/model/stack.ts apiPolicyXml). */
const UP_POLICY = [
  '<policies>',
  '  <inbound>',
  '    <base />',
  '    <set-backend-service backend-id="function-app" />',
  '  </inbound>',
  '  <backend>',
  '    <base />',
  '  </backend>',
  '  <outbound>',
  '    <base />',
  '  </outbound>',
  '  <on-error>',
  '    <base />',
  '  </on-error>',
  '</policies>',
].join('\n');

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
}
const seen: Seen[] = [];
/** Resolvers for the streaming test: the backend got its first request chunk. */
let onFirstChunk: (() => void) | undefined;
/** The backend's poster request closed, and whether its body had completed. */
let onPosterClosed: ((complete: boolean) => void) | undefined;

const agent = () => new https.Agent({ keepAlive: true, ca: h.azure.caCertPem });
let clientAgent: https.Agent;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
}

function call(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const r = https.request(new URL(path, base), { method, headers, agent: clientAgent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    r.on('error', reject);
    r.end(body);
  });
}
const gw = (method: string, path: string, headers?: Record<string, string>, body?: string) => call(gatewayUrl, method, path, headers, body);

const keysOf = (name: string) => h.apim.subscription.listSecrets(rg, svc, name);

before(async () => {
  h = await startHarness();
  clientAgent = agent();
  // The backend: echoes what it saw as JSON; /api/poster echoes the body as it streams in.
  backend = https.createServer({ cert: readFileSync(join(h.azure.dataDir, 'server.pem')), key: readFileSync(join(h.azure.dataDir, 'server-key.pem')) }, (rq, rs) => {
    seen.push({ method: rq.method, url: rq.url, headers: rq.headers });
    if (rq.url?.startsWith('/api/poster')) {
      rq.once('data', () => onFirstChunk?.());
      rq.once('close', () => onPosterClosed?.(rq.complete));
      // ?hold: answer nothing until the whole body is in (so only the request side can notice a client leaving).
      if (rq.url.includes('hold')) {
        rq.toArray().then((chunks) => rs.writeHead(200, { 'content-type': 'text/plain' }).end(Buffer.concat(chunks)), () => undefined);
        return;
      }
      rs.writeHead(200, { 'content-type': 'text/plain', 'x-backend': 'poster' });
      rs.flushHeaders();
      rq.pipe(rs);
      return;
    }
    rq.resume();
    rq.on('end', () => {
      const body = JSON.stringify({ message: new URL(rq.url ?? '/', 'https://x').searchParams.get('message'), path: rq.url });
      rs.writeHead(200, { 'content-type': 'application/json', 'x-backend': 'getter' }).end(body);
    });
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  backendUrl = `https://127.0.0.1:${(backend.address() as AddressInfo).port}`;

  await h.resources.resourceGroups.createOrUpdate(rg, { location: 'westeurope' });
  const service = await h.apim.apiManagementService.beginCreateOrUpdateAndWait(rg, svc, consumption, fast);
  gatewayUrl = service.gatewayUrl!;
  serviceId = service.id!;
  await h.apim.namedValue.beginCreateOrUpdateAndWait(rg, svc, 'function-app-key', { displayName: 'function-app-key', value: SECRET, secret: true }, fast);
  await h.apim.backend.createOrUpdate(rg, svc, 'function-app', {
    url: `${backendUrl}/api`,
    protocol: 'http',
    credentials: { header: { 'x-functions-key': ['{{function-app-key}}'] } },
  });
  await h.apim.api.beginCreateOrUpdateAndWait(rg, svc, 'example', { format: 'openapi', value: SPEC, path: 'example', translateRequiredQueryParametersConduct: 'query' }, fast);
  await h.apim.apiPolicy.createOrUpdate(rg, svc, 'example', 'policy', { format: 'rawxml', value: UP_POLICY });
  await h.apim.product.createOrUpdate(rg, svc, 'example-product', { displayName: 'Example', subscriptionRequired: true, approvalRequired: false, state: 'published' });
  await h.apim.productApi.createOrUpdate(rg, svc, 'example-product', 'example');
  await h.apim.subscription.createOrUpdate(rg, svc, 'client', { scope: '/products/example-product', displayName: 'Client', state: 'active' });
});

after(async () => {
  clientAgent?.destroy();
  backend?.closeAllConnections();
  backend?.close();
  await h?.close();
});

test('subscription keys: missing and wrong keys are 401 with APIM bodies; a valid key forwards with the backend credentials', async () => {
  const missing = await gw('GET', '/example/getter?message=world');
  assert.equal(missing.status, 401);
  assert.deepEqual(missing.json, { statusCode: 401, message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.' });
  const wrong = await gw('GET', '/example/getter?message=world', { 'Ocp-Apim-Subscription-Key': 'f'.repeat(32) });
  assert.equal(wrong.status, 401);
  assert.deepEqual(wrong.json, { statusCode: 401, message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.' });
  assert.equal(seen.length, 0, 'nothing reached the backend');

  const { primaryKey, secondaryKey } = await keysOf('client');
  const ok = await gw('GET', '/example/getter?message=world', { 'Ocp-Apim-Subscription-Key': primaryKey! });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.json, { message: 'world', path: '/api/getter?message=world' });
  assert.equal(ok.headers['x-backend'], 'getter');
  const got = seen.at(-1)!;
  assert.equal(got.method, 'GET');
  assert.equal(got.headers['x-functions-key'], SECRET);
  assert.equal(got.headers.host, new URL(backendUrl).host);

  const byQuery = await gw('GET', `/example/getter?message=q&subscription-key=${secondaryKey}`);
  assert.equal(byQuery.status, 200);
  assert.equal(byQuery.json.message, 'q');
  assert.equal(seen.at(-1)!.headers['x-functions-key'], SECRET);

  const log = gatewayRequestsOf(h.azure.env, serviceId);
  const last = log.at(-1)!;
  assert.equal(last.method, 'GET');
  assert.equal(last.path, '/example/getter?message=q&subscription-key=***');
  assert.equal(last.api, 'example');
  assert.equal(last.operation, 'get-getter');
  assert.equal(last.subscription, 'client');
  assert.equal(last.status, 200);
  assert.equal(last.backendStatus, 200);
  assert.ok(last.durationMs >= 0);
  assert.equal(log.at(-4)!.status, 401);
  assert.equal(log.at(-4)!.backendStatus, undefined);
  const dump = JSON.stringify(log);
  for (const secret of [SECRET, primaryKey!, secondaryKey!]) assert.ok(!dump.includes(secret), 'the request log holds no secrets');
});

test('ARM changes apply at once: a regenerated key and a suspended subscription', async () => {
  const old = (await keysOf('client')).primaryKey!;
  assert.equal((await gw('GET', '/example/getter?message=a', { 'Ocp-Apim-Subscription-Key': old })).status, 200);
  await h.apim.subscription.regeneratePrimaryKey(rg, svc, 'client');
  const fresh = (await keysOf('client')).primaryKey!;
  assert.notEqual(fresh, old);
  assert.equal((await gw('GET', '/example/getter?message=a', { 'Ocp-Apim-Subscription-Key': old })).status, 401);
  assert.equal((await gw('GET', '/example/getter?message=a', { 'Ocp-Apim-Subscription-Key': fresh })).status, 200);

  await h.apim.subscription.createOrUpdate(rg, svc, 'client', { scope: '/products/example-product', displayName: 'Client', state: 'suspended' });
  const suspended = await gw('GET', '/example/getter?message=a', { 'Ocp-Apim-Subscription-Key': fresh });
  assert.equal(suspended.status, 401);
  assert.match(suspended.json.message, /invalid subscription key/);
  await h.apim.subscription.createOrUpdate(rg, svc, 'client', { scope: '/products/example-product', displayName: 'Client', state: 'active' });
  assert.equal((await gw('GET', '/example/getter?message=a', { 'Ocp-Apim-Subscription-Key': fresh })).status, 200);
});

test('POST streams both ways: the backend sees the first chunk, and the client its echo, before the body ends', { timeout: 5000 }, async () => {
  const key = (await keysOf('client')).primaryKey!;
  const gotFirst = new Promise<void>((r) => (onFirstChunk = r));
  const answer = await new Promise<{ status: number; text: string; type?: string }>((resolve, reject) => {
    const r = https.request(new URL('/example/poster', gatewayUrl), { method: 'POST', agent: clientAgent, headers: { 'content-type': 'text/plain', 'Ocp-Apim-Subscription-Key': key } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.once('data', () => r.end('second half'));
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, type: res.headers['content-type'] }));
    });
    r.on('error', reject);
    r.write('first half, ');
    // Nothing more is sent until the echo of the first chunk arrives: a buffering gateway would hang here.
    gotFirst.then(() => undefined, reject);
  });
  assert.equal(answer.status, 200);
  assert.equal(answer.type, 'text/plain');
  assert.equal(answer.text, 'first half, second half');
  assert.equal(seen.at(-1)!.headers['transfer-encoding'], 'chunked');
  assert.equal(seen.at(-1)!.headers['x-functions-key'], SECRET);

  // A client that gives up mid-upload: the backend request is torn down too, not left waiting for the rest.
  const firstAgain = new Promise<void>((r) => (onFirstChunk = r));
  const closed = new Promise<boolean>((r) => (onPosterClosed = r));
  const abandoned = https.request(new URL('/example/poster?hold', gatewayUrl), { method: 'POST', agent: clientAgent, headers: { 'content-type': 'text/plain', 'Ocp-Apim-Subscription-Key': key } });
  abandoned.on('error', () => undefined);
  abandoned.write('only the start');
  await firstAgain;
  abandoned.destroy();
  assert.equal(await closed, false);

  const big = 'x'.repeat(3 * 1024 * 1024);
  const echoed = await gw('POST', '/example/poster', { 'content-type': 'text/plain', 'Ocp-Apim-Subscription-Key': key }, big);
  assert.equal(echoed.status, 200);
  assert.equal(echoed.text.length, big.length);
});

test('unknown paths are 404 with the APIM body; an unreachable backend is APIM\'s opaque 500', async () => {
  const nowhere = await gw('GET', '/nothing/here');
  assert.equal(nowhere.status, 404);
  assert.deepEqual(nowhere.json, { statusCode: 404, message: 'Resource not found' });
  const wrongOp = await gw('DELETE', '/example/getter', { 'Ocp-Apim-Subscription-Key': (await keysOf('client')).primaryKey! });
  assert.equal(wrongOp.status, 404);

  for (const [name, url] of [['refused', 'https://127.0.0.1:1/api'], ['internet', 'https://func.example/api']]) {
    await h.apim.api.beginCreateOrUpdateAndWait(rg, svc, name, { format: 'openapi', value: SPEC, path: name, serviceUrl: url, subscriptionRequired: false }, fast);
    const failed = await gw('GET', `/${name}/getter?message=x`);
    assert.equal(failed.status, 500, name);
    assert.equal(failed.json.statusCode, 500);
    assert.equal(failed.json.message, 'Internal server error');
    const rec = gatewayRequestsOf(h.azure.env, serviceId).at(-1)!;
    assert.equal(rec.backendStatus, 0);
    assert.ok(rec.backendError);
  }
});

test('policy PUTs: what the gateway does not emulate is a 400 ValidationError naming the element', async () => {
  const withSendRequest = UP_POLICY.replace(
    '<base />\n    <set-backend-service',
    '<base />\n    <send-request mode="new" response-variable-name="r"><set-url>https://example.com</set-url></send-request>\n    <set-backend-service',
  );
  await assert.rejects(h.apim.apiPolicy.createOrUpdate(rg, svc, 'example', 'policy', { format: 'rawxml', value: withSendRequest }), (e: any) => {
    assert.equal(e.statusCode, 400);
    assert.equal(e.code, 'ValidationError');
    const details = JSON.stringify(e.details ?? e.response?.bodyAsText);
    assert.match(details, /send-request/);
    return true;
  });
  await assert.rejects(h.apim.policy.createOrUpdate(rg, svc, 'policy', { format: 'xml', value: '<policies><inbound><rate-limit calls="1" renewal-period="10" /></inbound></policies>' }), { statusCode: 400, code: 'ValidationError' });
  // The stored policy is still the one `up` put: requests keep working.
  assert.equal((await gw('GET', '/example/getter?message=still', { 'Ocp-Apim-Subscription-Key': (await keysOf('client')).primaryKey! })).status, 200);
});

test('rate-limit: 429 with Retry-After once the calls are spent; a policy change applies to the next request', async () => {
  await h.apim.api.beginCreateOrUpdateAndWait(rg, svc, 'limited', { format: 'openapi', value: SPEC, path: 'limited', translateRequiredQueryParametersConduct: 'query' }, fast);
  await h.apim.subscription.createOrUpdate(rg, svc, 'limited-client', { scope: '/apis/limited', displayName: 'Limited', state: 'active' });
  const key = (await keysOf('limited-client')).primaryKey!;
  await h.apim.apiPolicy.createOrUpdate(rg, svc, 'limited', 'policy', { format: 'rawxml', value: UP_POLICY });
  assert.equal((await gw('GET', '/limited/getter?message=1', { 'Ocp-Apim-Subscription-Key': key })).status, 200);
  await h.apim.apiPolicy.createOrUpdate(rg, svc, 'limited', 'policy', {
    format: 'rawxml',
    value: UP_POLICY.replace('<set-backend-service', '<rate-limit calls="3" renewal-period="60" remaining-calls-header-name="x-remaining" />\n    <set-backend-service'),
  });
  const statuses: number[] = [];
  let limited: Answer | undefined;
  for (let i = 0; i < 4; i++) {
    const a = await gw('GET', `/limited/getter?message=${i}`, { 'Ocp-Apim-Subscription-Key': key });
    statuses.push(a.status);
    limited = a;
  }
  assert.deepEqual(statuses, [200, 200, 200, 429]);
  assert.equal(limited!.json.statusCode, 429);
  assert.match(limited!.json.message, /Rate limit is exceeded\. Try again in \d+ seconds\./);
  assert.ok(Number(limited!.headers['retry-after']) > 0 && Number(limited!.headers['retry-after']) <= 60);
});

test('a public API (subscriptionRequired false) answers without a key', async () => {
  await h.apim.api.beginCreateOrUpdateAndWait(rg, svc, 'public', { format: 'openapi', value: SPEC, path: 'public', subscriptionRequired: false, translateRequiredQueryParametersConduct: 'query' }, fast);
  await h.apim.apiPolicy.createOrUpdate(rg, svc, 'public', 'policy', { format: 'rawxml', value: UP_POLICY });
  const open = await gw('GET', '/public/getter?message=hi');
  assert.equal(open.status, 200);
  assert.equal(open.json.message, 'hi');
  assert.equal(seen.at(-1)!.headers['x-functions-key'], SECRET);
  assert.equal(gatewayRequestsOf(h.azure.env, serviceId).at(-1)!.subscription, undefined);
});

test('overhead: p50 of 200 sequential requests through the gateway vs straight to the backend', async (t) => {
  const key = (await keysOf('client')).primaryKey!;
  const p50 = async (fn: () => Promise<Answer>) => {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      const a = await fn();
      times.push(performance.now() - t0);
      assert.equal(a.status, 200);
    }
    return times.sort((a, b) => a - b)[100];
  };
  const direct = await p50(() => call(backendUrl, 'GET', '/api/getter?message=m', { 'x-functions-key': SECRET }));
  const through = await p50(() => gw('GET', '/example/getter?message=m', { 'Ocp-Apim-Subscription-Key': key }));
  t.diagnostic(`p50 direct ${direct.toFixed(3)} ms, through the gateway ${through.toFixed(3)} ms, overhead ${(through - direct).toFixed(3)} ms`);
  assert.ok(through - direct < 50, 'the gateway adds well under 50 ms');
});
