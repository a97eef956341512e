import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinHeaders } from '../../src/local/gateway/backend.ts';
import { handleRequest } from '../../src/local/gateway/gateway.ts';
import { newGatewayState } from '../../src/local/gateway/policies.ts';
import type { BackendContract, GatewayConfig } from '../../src/local/gateway/model.ts';
import { api, apiPolicy, config, json, op, req } from './gateway-fixtures.ts';

const backends: BackendContract[] = [
  {
    name: 'func-backend',
    properties: {
      url: 'https://fn-app.azurewebsites.net/api',
      protocol: 'http',
      credentials: { header: { 'x-functions-key': ['{{function-app-key}}'] }, query: { code: ['{{query-code}}'] } },
    },
  },
  { name: 'auth-backend', properties: { url: 'https://auth.backend.test/', protocol: 'http', credentials: { authorization: { scheme: 'Basic', parameter: '{{basic}}' } } } },
  { name: 'plain', properties: { url: 'https://plain.backend.test/base?fixed=1', protocol: 'http' } },
];

const cfgWith = (policy?: string, serviceUrl: string | undefined = 'https://svc.backend.test/api'): GatewayConfig =>
  config({
    apis: [api('echo', 'echo', [op('get', 'GET', '/items/{id}'), op('root', 'GET', '/'), op('post', 'POST', '/items')], { serviceUrl }, policy)],
    backends,
    namedValues: [
      { name: 'fak', properties: { displayName: 'function-app-key', value: 'FUNC-KEY-123', secret: true } },
      { name: 'qc', properties: { displayName: 'query-code', value: 'QC 1' } },
      { name: 'b', properties: { displayName: 'basic', value: 'dXNlcjpwdw==', secret: true } },
    ],
  });

const KEY = { 'Ocp-Apim-Subscription-Key': 'key-echo' };
function forwarded(cfg: GatewayConfig, r = req('GET', '/echo/items/7?x=1', KEY)) {
  const d = handleRequest(cfg, r, { state: newGatewayState(), requestId: 'rid' });
  assert.ok(d.action === 'forward', d.action === 'respond' ? JSON.stringify(d.response) : '');
  return d.request;
}

test('the backend URL is serviceUrl (or set-backend-service) + backend-relative path + query', () => {
  const cases: Array<[string | undefined, string | undefined, string, string]> = [
    [undefined, 'https://svc.backend.test/api', '/echo/items/7?x=1', 'https://svc.backend.test/api/items/7?x=1'],
    [undefined, 'https://svc.backend.test/api/', '/echo/items/7', 'https://svc.backend.test/api/items/7'],
    [undefined, 'https://svc.backend.test', '/echo/items/7', 'https://svc.backend.test/items/7'],
    [undefined, 'https://svc.backend.test/api', '/echo', 'https://svc.backend.test/api'],
    [undefined, 'https://svc.backend.test/api', '/echo/', 'https://svc.backend.test/api/'],
    [undefined, 'http://svc.backend.test:8080/api', '/ECHO/items/a%20b', 'http://svc.backend.test:8080/api/items/a%20b'],
    ['<set-backend-service base-url="https://other.test/v2" />', undefined, '/echo/items/7?x=1', 'https://other.test/v2/items/7?x=1'],
    ['<set-backend-service backend-id="plain" />', undefined, '/echo/items/7?x=1', 'https://plain.backend.test/base/items/7?fixed=1&x=1'],
    ['<set-backend-service backend-id="func-backend" />', undefined, '/echo/items/7', 'https://fn-app.azurewebsites.net/api/items/7?code=QC%201'],
    // An inherited backend-id can only be overridden by another backend-id.
    ['<set-backend-service backend-id="plain" /><set-backend-service base-url="https://ignored.test" />', undefined, '/echo/items/7', 'https://plain.backend.test/base/items/7?fixed=1'],
  ];
  for (const [policy, serviceUrl, url, expected] of cases) {
    const r = forwarded(cfgWith(policy ? apiPolicy(policy) : undefined, serviceUrl), req('GET', url, KEY));
    assert.equal(r.url, expected, `${policy} ${serviceUrl} ${url}`);
  }
});

test('backend credentials add headers and query values with named values resolved (secret ones too)', () => {
  const fn = forwarded(cfgWith(apiPolicy('<set-backend-service backend-id="func-backend" />')));
  assert.equal(fn.headers['x-functions-key'], 'FUNC-KEY-123');
  assert.equal(new URL(fn.url).searchParams.get('code'), 'QC 1');
  assert.equal(fn.backend?.name, 'func-backend');
  const basic = forwarded(cfgWith(apiPolicy('<set-backend-service backend-id="auth-backend" />')));
  assert.equal(basic.headers['authorization'], 'Basic dXNlcjpwdw==');
  // serviceUrl alone carries no credentials.
  const plain = forwarded(cfgWith());
  assert.equal(plain.headers['x-functions-key'], undefined);
  // An unknown backend-id is a runtime failure (500), not a forward.
  const d = handleRequest(cfgWith(apiPolicy('<set-backend-service backend-id="nope" />')), req('GET', '/echo/items/7', KEY), { state: newGatewayState(), requestId: 'rid' });
  assert.ok(d.action === 'respond');
  assert.deepEqual(json(d.response.body), { statusCode: 500, message: 'Internal server error', activityId: 'rid' });
  const noUrl = handleRequest(cfgWith(undefined, ''), req('GET', '/echo/items/7', KEY), { state: newGatewayState() });
  assert.ok(noUrl.action === 'respond' && noUrl.response.status === 500);
});

test('forwarding keeps method, headers and body, keeps the subscription key, adds X-Forwarded-For, sets Host', () => {
  const r = forwarded(
    cfgWith(),
    req('POST', '/echo/items?subscription-key=key-echo&y=2', { 'Content-Type': 'application/json', 'X-Custom': 'v', Connection: 'keep-alive', 'Transfer-Encoding': 'chunked', 'X-Forwarded-For': '203.0.113.9', Host: 'svc.azure-api.net' }, { clientIp: '10.1.2.3' }),
  );
  assert.equal(r.method, 'POST');
  assert.deepEqual(r.body, { kind: 'passthrough' });
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(r.headers['x-custom'], 'v');
  assert.equal(r.headers['connection'], undefined);
  assert.equal(r.headers['transfer-encoding'], undefined);
  assert.equal(r.headers['host'], 'svc.backend.test');
  assert.equal(r.headers['x-forwarded-for'], '203.0.113.9, 10.1.2.3');
  assert.equal(r.headers['x-forwarded-host'], undefined);
  assert.equal(r.headers['x-forwarded-proto'], undefined);
  assert.equal(new URL(r.url).searchParams.get('subscription-key'), 'key-echo', 'APIM passes the key to the backend by default');
  const h = forwarded(cfgWith());
  assert.equal(h.headers['ocp-apim-subscription-key'], 'key-echo');
  assert.equal(h.headers['x-forwarded-for'], '10.1.2.3');
  // …and a policy can strip it.
  const stripped = forwarded(cfgWith(apiPolicy('<set-header name="Ocp-Apim-Subscription-Key" exists-action="delete" />')));
  assert.equal(stripped.headers['ocp-apim-subscription-key'], undefined);
  assert.equal(h.timeoutMs, 300_000);
  assert.equal(forwarded(cfgWith(apiPolicy('', '<base />', '<base />', '<forward-request timeout="20" follow-redirects="true" />'))).timeoutMs, 20_000);
});

test('joinHeaders concatenates multiple values except the headers APIM keeps separate', () => {
  assert.deepEqual(joinHeaders({ accept: ['a', 'b'], 'set-cookie': ['x=1', 'y=2'], 'user-agent': ['ua'], empty: [] }), { accept: 'a,b', 'set-cookie': ['x=1', 'y=2'], 'user-agent': 'ua' });
});
