import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleRequest, handleResponse } from '../../src/local/gateway/gateway.ts';
import { newGatewayState } from '../../src/local/gateway/policies.ts';
import type { GatewayConfig } from '../../src/local/gateway/model.ts';
import { api, apiPolicy, config, op, product, req, sub, SVC } from './gateway-fixtures.ts';

const CORS = (attrs = '', origins = '<origin>https://app.test</origin><origin>http://localhost:8080/</origin>') =>
  `<cors ${attrs}><allowed-origins>${origins}</allowed-origins><allowed-methods preflight-result-max-age="300"><method>GET</method><method>PUT</method></allowed-methods><allowed-headers><header>content-type</header><header>ocp-apim-subscription-key</header></allowed-headers><expose-headers><header>x-trace</header></expose-headers></cors>`;

const cfgWith = (p: string, extra: Partial<GatewayConfig> = {}): GatewayConfig =>
  config({ apis: [api('echo', 'echo', [op('get', 'GET', '/x'), op('put', 'PUT', '/x'), op('post', 'POST', '/x'), op('delete', 'DELETE', '/x')], {}, p)], ...extra });

const preflight = (cfg: GatewayConfig, origin: string, method: string, headers?: string, url = '/echo/x') =>
  handleRequest(cfg, req('OPTIONS', url, { Origin: origin, 'Access-Control-Request-Method': method, ...(headers ? { 'Access-Control-Request-Headers': headers } : {}) }), { state: newGatewayState() });

test('preflight: matching origin/method/headers answer 200 with Access-Control-Allow-*, no key needed', () => {
  const cfg = cfgWith(apiPolicy(CORS('allow-credentials="true"')));
  const d = preflight(cfg, 'https://app.test', 'PUT', 'Content-Type, Ocp-Apim-Subscription-Key');
  assert.ok(d.action === 'respond');
  assert.equal(d.response.status, 200);
  assert.deepEqual(d.response.headers, {
    'access-control-allow-origin': ['https://app.test'],
    'access-control-allow-methods': ['PUT'],
    'access-control-allow-credentials': ['true'],
    'access-control-allow-headers': ['Content-Type,Ocp-Apim-Subscription-Key'],
    'access-control-max-age': ['300'],
  });
  // Origin given in the policy with a trailing slash and default port rules.
  const local = preflight(cfg, 'http://localhost:8080', 'GET');
  assert.ok(local.action === 'respond' && local.response.headers['access-control-allow-origin']?.[0] === 'http://localhost:8080');
  const cases: Array<[string, string, string | undefined]> = [
    ['https://evil.test', 'GET', undefined],
    ['https://app.test', 'DELETE', undefined],
    ['https://app.test', 'GET', 'x-custom'],
    ['https://app.test:443', 'GET', undefined], // same origin as https://app.test
  ];
  for (const [origin, method, headers] of cases) {
    const r = preflight(cfg, origin, method, headers);
    assert.ok(r.action === 'respond');
    assert.equal(r.response.status, 200);
    const matched = origin === 'https://app.test:443';
    // Not matched: an empty 200 (cors-policy.md "Empty 200 OK response").
    if (!matched) assert.deepEqual(r.response.headers, {});
    assert.equal(r.response.headers['access-control-allow-origin'] !== undefined, matched, `${origin} ${method} ${headers}`);
  }
});

test('preflight: wildcard origin, default methods, terminate-unmatched-request and fallthrough to the next cors', () => {
  const any = cfgWith(apiPolicy('<cors><allowed-origins><origin>*</origin></allowed-origins><allowed-headers><header>*</header></allowed-headers></cors>'));
  const r = preflight(any, 'https://x.test', 'POST', 'x-anything');
  assert.ok(r.action === 'respond');
  assert.deepEqual(r.response.headers['access-control-allow-origin'], ['*']);
  const put = preflight(any, 'https://x.test', 'PUT');
  assert.ok(put.action === 'respond' && put.response.headers['access-control-allow-origin'] === undefined, 'GET and POST only by default');
  // Global cors is consulted after an unmatched api-scope cors with terminate-unmatched-request="false".
  const corsFirst = (attrs: string) => `<policies><inbound>${CORS(attrs)}<base /></inbound><backend><base /></backend></policies>`;
  const layered = cfgWith(corsFirst('terminate-unmatched-request="false"'), {
    policy: { properties: { value: `<policies><inbound>${CORS('', '<origin>https://other.test</origin>')}</inbound><backend><forward-request /></backend></policies>` } },
  });
  const viaGlobal = preflight(layered, 'https://other.test', 'GET');
  assert.ok(viaGlobal.action === 'respond' && viaGlobal.response.headers['access-control-allow-origin']?.[0] === 'https://other.test');
  const terminated = cfgWith(corsFirst('terminate-unmatched-request="true"'), { policy: layered.policy });
  const stop = preflight(terminated, 'https://other.test', 'GET');
  assert.ok(stop.action === 'respond' && stop.response.headers['access-control-allow-origin'] === undefined);
  // Without any cors policy an OPTIONS request is just an unmatched operation, as is a preflight for a method
  // no operation serves.
  const none = preflight(cfgWith(apiPolicy('')), 'https://app.test', 'GET');
  assert.ok(none.action === 'respond' && none.response.status === 404);
  const noOp = preflight(config({ apis: [api('echo', 'echo', [op('get', 'GET', '/x')], {}, apiPolicy(CORS()))] }), 'https://app.test', 'PUT');
  assert.ok(noOp.action === 'respond' && noOp.response.status === 404);
  // An OPTIONS operation takes the request: no preflight processing.
  const own = config({ apis: [api('echo', 'echo', [op('get', 'GET', '/x'), op('options', 'OPTIONS', '/x')], { subscriptionRequired: false }, apiPolicy(CORS()))] });
  assert.equal(preflight(own, 'https://app.test', 'GET').action, 'forward');
});

test('actual cross-origin requests get CORS headers on the response; unmatched GET may be terminated', () => {
  const cfg = cfgWith(apiPolicy(CORS('allow-credentials="true"')));
  const d = handleRequest(cfg, req('GET', '/echo/x', { Origin: 'https://app.test', 'Ocp-Apim-Subscription-Key': 'key-echo' }), { state: newGatewayState() });
  assert.ok(d.action === 'forward');
  const out = handleResponse(d.ctx, { status: 200, headers: { 'x-trace': ['1'] }, body: { kind: 'passthrough' } });
  assert.deepEqual(out.headers['access-control-allow-origin'], ['https://app.test']);
  assert.deepEqual(out.headers['access-control-allow-credentials'], ['true']);
  assert.deepEqual(out.headers['access-control-expose-headers'], ['x-trace']);
  // Errors leaving the gateway carry them too (browsers can read the 401/429).
  const failing = cfgWith(apiPolicy(CORS() + '<check-header name="X-Need" failed-check-httpcode="400" failed-check-error-message="m" ignore-case="true" />'));
  const unauth = handleRequest(failing, req('GET', '/echo/x', { Origin: 'https://app.test', 'Ocp-Apim-Subscription-Key': 'key-echo' }), { state: newGatewayState() });
  assert.ok(unauth.action === 'respond' && unauth.response.status === 400);
  assert.deepEqual(unauth.response.headers['access-control-allow-origin'], ['https://app.test']);
  const evil = handleRequest(cfg, req('GET', '/echo/x', { Origin: 'https://evil.test', 'Ocp-Apim-Subscription-Key': 'key-echo' }), { state: newGatewayState() });
  assert.ok(evil.action === 'forward', 'unmatched requests proceed without CORS headers by default');
  assert.equal(handleResponse(evil.ctx, { status: 200, headers: {}, body: { kind: 'passthrough' } }).headers['access-control-allow-origin'], undefined);
  const strict = cfgWith(apiPolicy(CORS('terminate-unmatched-request="true"')));
  const cut = handleRequest(strict, req('GET', '/echo/x', { Origin: 'https://evil.test', 'Ocp-Apim-Subscription-Key': 'key-echo' }), { state: newGatewayState() });
  assert.ok(cut.action === 'respond' && cut.response.status === 200 && cut.response.body.kind === 'none');
});

test('a product-scope cors policy only applies to a preflight when the key is in the query string', () => {
  const cfg = config({
    apis: [api('echo', 'echo', [op('get', 'GET', '/x')])],
    products: [product('starter', ['echo'], {}, apiPolicy(CORS()))],
    subscriptions: [sub('p', `${SVC}/products/starter`, 'k-prod')],
  });
  const header = preflight(cfg, 'https://app.test', 'GET');
  assert.ok(header.action === 'respond' && header.response.status === 404, 'no product context: no cors policy in scope');
  const query = preflight(cfg, 'https://app.test', 'GET', undefined, '/echo/x?subscription-key=k-prod');
  assert.ok(query.action === 'respond' && query.response.headers['access-control-allow-origin']?.[0] === 'https://app.test');
});
