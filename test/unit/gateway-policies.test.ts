import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleRequest, handleResponse } from '../../src/local/gateway/gateway.ts';
import { newGatewayState } from '../../src/local/gateway/policies.ts';
import type { GatewayConfig, GatewayResponse } from '../../src/local/gateway/model.ts';
import { api, apiPolicy, bodyText, config, json, op, req, sub, SVC } from './gateway-fixtures.ts';

const KEY = { 'Ocp-Apim-Subscription-Key': 'key-echo' };

function withApiPolicy(policy: string, extra: Partial<GatewayConfig> = {}, ops = [op('get', 'GET', '/items/{id}'), op('post', 'POST', '/items')]): GatewayConfig {
  return config({ apis: [api('echo', 'echo', ops, {}, policy)], ...extra });
}

function forward(cfg: GatewayConfig, r = req('GET', '/echo/items/1', KEY)) {
  const d = handleRequest(cfg, r, { state: newGatewayState(), now: () => 1_000_000, requestId: 'rid' });
  assert.equal(d.action, 'forward', d.action === 'respond' ? `responded ${d.response.status} ${bodyText(d.response.body)}` : '');
  return d as Extract<typeof d, { action: 'forward' }>;
}

function respond(cfg: GatewayConfig, r = req('GET', '/echo/items/1', KEY), state = newGatewayState(), now = () => 1_000_000): GatewayResponse {
  const d = handleRequest(cfg, r, { state, now, requestId: 'rid' });
  assert.equal(d.action, 'respond');
  return (d as Extract<typeof d, { action: 'respond' }>).response;
}

test('set-header: override, skip, append, delete, multiple values, expressions', () => {
  const cases: Array<[string, Record<string, string>, Record<string, string | string[] | undefined>]> = [
    ['<set-header name="X-A" exists-action="override"><value>new</value></set-header>', { 'x-a': 'old' }, { 'x-a': 'new' }],
    ['<set-header name="X-A"><value>new</value></set-header>', { 'x-a': 'old' }, { 'x-a': 'new' }],
    ['<set-header name="X-A" exists-action="skip"><value>new</value></set-header>', { 'x-a': 'old' }, { 'x-a': 'old' }],
    ['<set-header name="X-A" exists-action="skip"><value>new</value></set-header>', {}, { 'x-a': 'new' }],
    ['<set-header name="X-A" exists-action="append"><value>b</value></set-header>', { 'x-a': 'a' }, { 'x-a': 'a,b' }],
    ['<set-header name="X-A" exists-action="delete" />', { 'x-a': 'a' }, { 'x-a': undefined }],
    ['<set-header name="X-A" exists-action="override"><value>1</value><value>2</value></set-header>', {}, { 'x-a': '1,2' }],
    ['<set-header name="Cookie" exists-action="override"><value>a=1</value><value>b=2</value></set-header>', {}, { cookie: ['a=1', 'b=2'] }],
    ['<set-header name="X-Who" exists-action="override"><value>@(context.Subscription.Name + "/" + context.Api.Name + "/" + context.Operation.Name)</value></set-header>', {}, { 'x-who': 's1/echo/get' }],
    ['<set-header name="X-Id" exists-action="override"><value>@(context.Request.MatchedParameters["id"])</value></set-header>', {}, { 'x-id': '1' }],
    ['<set-header name="X-Copy" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("x-src", "none"))</value></set-header>', {}, { 'x-copy': 'none' }],
    ['<set-header name="X-Copy" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("x-src", "none").ToUpper())</value></set-header>', { 'x-src': 'abc' }, { 'x-copy': 'ABC' }],
    ['<set-header name="X-P" exists-action="override"><value>@(context.Product?.Name ?? "none")</value></set-header>', {}, { 'x-p': 'none' }],
  ];
  for (const [policy, incoming, expected] of cases) {
    const d = forward(withApiPolicy(apiPolicy(policy)), req('GET', '/echo/items/1', { ...KEY, ...incoming }));
    for (const [k, v] of Object.entries(expected)) assert.deepEqual(d.request.headers[k], v, policy);
  }
});

test('set-query-parameter: override, skip, append, delete', () => {
  const cases: Array<[string, string, string]> = [
    ['<set-query-parameter name="a" exists-action="override"><value>9</value></set-query-parameter>', '?a=1&b=2', 'b=2&a=9'],
    ['<set-query-parameter name="a" exists-action="skip"><value>9</value></set-query-parameter>', '?a=1', 'a=1'],
    ['<set-query-parameter name="c" exists-action="skip"><value>9</value></set-query-parameter>', '?a=1', 'a=1&c=9'],
    ['<set-query-parameter name="a" exists-action="append"><value>9</value></set-query-parameter>', '?a=1', 'a=1&a=9'],
    ['<set-query-parameter name="subscription-key" exists-action="delete" />', '?subscription-key=key-echo&x=1', 'x=1'],
    ['<set-query-parameter name="q" exists-action="override"><value>a b&amp;c</value></set-query-parameter>', '', 'q=a%20b%26c'],
  ];
  for (const [policy, qs, expected] of cases) {
    const d = forward(withApiPolicy(apiPolicy(policy)), req('GET', `/echo/items/1${qs}`, KEY));
    assert.equal(new URL(d.request.url).search.slice(1), expected, policy);
  }
});

test('check-header fails with the configured status and message; ignore-case; any listed value', () => {
  const policy = (ignoreCase: boolean) =>
    apiPolicy(`<check-header name="X-Tenant" failed-check-httpcode="403" failed-check-error-message="Tenant not allowed" ignore-case="${ignoreCase}"><value>Contoso</value><value>Fabrikam</value></check-header>`);
  const cases: Array<[boolean, string | undefined, number | 'forward']> = [
    [false, undefined, 403],
    [false, 'Contoso', 'forward'],
    [false, 'Fabrikam', 'forward'],
    [false, 'contoso', 403],
    [true, 'contoso', 'forward'],
    [true, 'other', 403],
  ];
  for (const [ic, value, expected] of cases) {
    const r = req('GET', '/echo/items/1', value === undefined ? KEY : { ...KEY, 'X-Tenant': value });
    const d = handleRequest(withApiPolicy(policy(ic)), r, { state: newGatewayState() });
    if (expected === 'forward') assert.equal(d.action, 'forward', `${ic} ${value}`);
    else {
      assert.equal(d.action, 'respond');
      if (d.action !== 'respond') continue;
      assert.equal(d.response.status, 403);
      assert.deepEqual(json(d.response.body), { statusCode: 403, message: 'Tenant not allowed' });
    }
  }
  const existsOnly = withApiPolicy(apiPolicy('<check-header name="X-Any" failed-check-httpcode="401" failed-check-error-message="need it" ignore-case="false" />'));
  assert.equal(respond(existsOnly).status, 401);
  assert.equal(handleRequest(existsOnly, req('GET', '/echo/items/1', { ...KEY, 'x-any': 'whatever' }), { state: newGatewayState() }).action, 'forward');
});

test('ip-filter allows or forbids addresses and ranges (IPv4, IPv6, IPv4-mapped) with 403 Forbidden', () => {
  const allow = apiPolicy('<ip-filter action="allow"><address>10.1.2.3</address><address-range from="192.168.0.10" to="192.168.0.20" /><address>2001:db8::1</address></ip-filter>');
  const forbid = apiPolicy('<ip-filter action="forbid"><address-range from="10.0.0.0" to="10.255.255.255" /></ip-filter>');
  const cases: Array<[string, string, boolean]> = [
    [allow, '10.1.2.3', true],
    [allow, '::ffff:10.1.2.3', true],
    [allow, '192.168.0.15', true],
    [allow, '192.168.0.21', false],
    [allow, '2001:0db8:0000::0001', true],
    [allow, '2001:db8::2', false],
    [allow, 'garbage', false],
    [forbid, '10.9.9.9', false],
    [forbid, '11.0.0.1', true],
  ];
  for (const [policy, ip, passes] of cases) {
    const d = handleRequest(withApiPolicy(policy), req('GET', '/echo/items/1', KEY, { clientIp: ip }), { state: newGatewayState() });
    assert.equal(d.action, passes ? 'forward' : 'respond', `${ip}`);
    if (d.action === 'respond') {
      assert.equal(d.response.status, 403);
      assert.deepEqual(json(d.response.body), { statusCode: 403, message: 'Forbidden' });
    }
  }
});

test('rate-limit counts per subscription in a sliding window and answers 429 with Retry-After', () => {
  const cfg = withApiPolicy(apiPolicy('<rate-limit calls="2" renewal-period="60" remaining-calls-header-name="x-remaining" total-calls-header-name="x-total" />'), {
    subscriptions: [sub('s1', `${SVC}/apis/echo`, 'key-echo'), sub('s2', '/apis', 'key-other')],
  });
  const state = newGatewayState();
  let t = 1_000_000;
  const call = (key = 'key-echo') => handleRequest(cfg, req('GET', '/echo/items/1', { 'Ocp-Apim-Subscription-Key': key }), { state, now: () => t });
  const first = call();
  assert.equal(first.action, 'forward');
  const out = handleResponse(first.ctx!, { status: 200, headers: {}, body: { kind: 'passthrough' } });
  assert.deepEqual(out.headers['x-remaining'], ['1']);
  assert.deepEqual(out.headers['x-total'], ['2']);
  t += 10_000;
  assert.equal(call().action, 'forward');
  t += 10_000;
  const limited = call();
  assert.equal(limited.action, 'respond');
  if (limited.action !== 'respond') return;
  assert.equal(limited.response.status, 429);
  assert.deepEqual(limited.response.headers['retry-after'], ['40']); // first call leaves the window at +60s
  assert.deepEqual(json(limited.response.body), { statusCode: 429, message: 'Rate limit is exceeded. Try again in 40 seconds.' });
  assert.deepEqual(limited.response.headers['x-remaining'], ['0']);
  assert.equal(call('key-other').action, 'forward', 'another subscription has its own counter');
  t += 40_000; // the first call slides out of the window
  assert.equal(call().action, 'forward');
  assert.equal(call().action, 'respond');
  // Without a subscription key the policy does not apply.
  const open = withApiPolicy(apiPolicy('<rate-limit calls="1" renewal-period="60" />'));
  open.apis[0].properties.subscriptionRequired = false;
  const s2 = newGatewayState();
  for (let i = 0; i < 3; i++) assert.equal(handleRequest(open, req('GET', '/echo/items/1'), { state: s2 }).action, 'forward');
});

test('rate-limit nested api/operation limits apply independently; custom retry header', () => {
  const cfg = withApiPolicy(
    apiPolicy('<rate-limit calls="10" renewal-period="60" retry-after-header-name="x-retry"><api name="echo" calls="5" renewal-period="60"><operation name="get" calls="1" renewal-period="30" /></api></rate-limit>'),
  );
  const state = newGatewayState();
  const call = (url: string, method = 'GET') => handleRequest(cfg, req(method, url, KEY), { state, now: () => 5_000 });
  assert.equal(call('/echo/items/1').action, 'forward');
  const second = call('/echo/items/2');
  assert.equal(second.action, 'respond');
  if (second.action === 'respond') {
    assert.deepEqual(second.response.headers['x-retry'], ['30']);
    assert.equal(second.response.headers['retry-after'], undefined);
  }
  assert.equal(call('/echo/items', 'POST').action, 'forward', 'other operation: only api and top limits');
});

test('return-response, mock-response and a missing forward-request end the pipeline', () => {
  const rr = respond(withApiPolicy(apiPolicy('<return-response><set-status code="418" reason="Teapot" /><set-header name="X-T" exists-action="override"><value>1</value></set-header><set-body>{"tea":true}</set-body></return-response><set-header name="never" />')));
  assert.equal(rr.status, 418);
  assert.equal(rr.reason, 'Teapot');
  assert.deepEqual(rr.headers['x-t'], ['1']);
  assert.equal(bodyText(rr.body), '{"tea":true}');
  const empty = respond(withApiPolicy(apiPolicy('<return-response />')));
  assert.deepEqual([empty.status, empty.body.kind], [200, 'none']);

  const ops = [
    op('get', 'GET', '/items/{id}', {
      properties: {
        method: 'GET',
        urlTemplate: '/items/{id}',
        responses: [
          { statusCode: 200, representations: [{ contentType: 'application/xml' }, { contentType: 'application/json', examples: { default: { value: { id: 1, name: 'x' } } } }] },
          { statusCode: 404, representations: [{ contentType: 'text/plain', examples: { a: { value: 'missing' } } }] },
        ],
      },
    }),
  ];
  const mock = (attrs: string) => respond(withApiPolicy(apiPolicy(`<mock-response ${attrs} />`), {}, ops));
  const json200 = mock('status-code="200" content-type="application/json"');
  assert.deepEqual([json200.status, json200.headers['content-type'], bodyText(json200.body)], [200, ['application/json'], '{"id":1,"name":"x"}']);
  const first = mock('');
  assert.deepEqual([first.status, first.headers['content-type'], first.body.kind], [200, ['application/xml'], 'none']);
  const nf = mock('status-code="404"');
  assert.deepEqual([nf.status, bodyText(nf.body)], [404, 'missing']);
  const none = mock('status-code="500"');
  assert.deepEqual([none.status, none.body.kind], [500, 'none']);

  const noForward = respond(withApiPolicy('<policies><inbound /><backend /><outbound /></policies>'));
  assert.deepEqual([noForward.status, noForward.body.kind], [200, 'none']);
});

test('rewrite-uri rewrites the backend path, expands template parameters and copies unmatched query params', () => {
  const ops = [op('get', 'GET', '/get?a={b}'), op('item', 'GET', '/items/{id}')];
  const cases: Array<[string, string, string]> = [
    ['<rewrite-uri template="/put" />', '/echo/get?a=b&c=d', '/api/put?c=d'],
    ['<rewrite-uri template="/put" copy-unmatched-params="false" />', '/echo/get?a=b&c=d', '/api/put'],
    ['<rewrite-uri template="/v2/things/{id}?source=gw" />', '/echo/items/42?x=1', '/api/v2/things/42?source=gw&x=1'],
    ['<rewrite-uri template="@(&quot;/dyn/&quot; + context.Request.MatchedParameters[&quot;id&quot;])" />', '/echo/items/7', '/api/dyn/7'],
  ];
  for (const [policy, url, expected] of cases) {
    const d = forward(withApiPolicy(apiPolicy(policy), {}, ops), req('GET', url, KEY));
    const u = new URL(d.request.url);
    assert.equal(u.pathname + u.search, expected, policy);
  }
});

test('set-body, set-status and set-variable in inbound and outbound', () => {
  const cfg = withApiPolicy(
    apiPolicy(
      '<set-variable name="who" value="@(context.Request.Headers.GetValueOrDefault(&quot;x-user&quot;, &quot;anon&quot;))" /><set-body>@("hello " + context.Variables["who"])</set-body>',
      '<base /><set-status code="201" reason="Made" /><set-header name="X-Backend-Status" exists-action="override"><value>@(context.Response.StatusCode.ToString())</value></set-header><set-body>replaced</set-body>',
    ),
  );
  const d = forward(cfg, req('POST', '/echo/items', { ...KEY, 'x-user': 'ana', 'content-length': '99' }));
  assert.deepEqual(d.request.body, { kind: 'text', text: 'hello ana' });
  assert.equal(d.request.headers['content-length'], '9');
  const out = handleResponse(d.ctx, { status: 200, headers: { 'x-b': ['1'] }, body: { kind: 'passthrough' } });
  assert.deepEqual([out.status, out.reason, bodyText(out.body)], [201, 'Made', 'replaced']);
  assert.deepEqual(out.headers['x-backend-status'], ['201'], 'set-status ran first');
  assert.deepEqual(out.headers['x-b'], ['1']);
});

test('choose picks the first matching when, else otherwise', () => {
  const policy = apiPolicy(
    '<choose><when condition="@(context.Request.Method == &quot;POST&quot;)"><set-header name="X-Branch" exists-action="override"><value>post</value></set-header></when><when condition="@(context.Request.Headers.ContainsKey(&quot;x-flag&quot;))"><set-header name="X-Branch" exists-action="override"><value>flag</value></set-header></when><otherwise><set-header name="X-Branch" exists-action="override"><value>other</value></set-header></otherwise></choose>',
  );
  const cases: Array<[string, string, Record<string, string>, string]> = [
    ['POST', '/echo/items', {}, 'post'],
    ['GET', '/echo/items/1', { 'x-flag': '1' }, 'flag'],
    ['GET', '/echo/items/1', {}, 'other'],
  ];
  for (const [method, url, h, branch] of cases) assert.equal(forward(withApiPolicy(policy), req(method, url, { ...KEY, ...h })).request.headers['x-branch'], branch);
  const literal = apiPolicy('<choose><when condition="true"><set-header name="X-L" exists-action="override"><value>yes</value></set-header></when></choose>');
  assert.equal(forward(withApiPolicy(literal)).request.headers['x-l'], 'yes');
});

test('failures jump to on-error with context.LastError; expression errors give APIM 500', () => {
  const onError =
    '<base /><set-header name="X-Err" exists-action="override"><value>@(context.LastError.Source + "|" + context.LastError.Reason + "|" + context.LastError.Scope + "|" + context.LastError.Section)</value></set-header>';
  const cfg = withApiPolicy(apiPolicy('<check-header name="X-Need" failed-check-httpcode="400" failed-check-error-message="need" ignore-case="true" />', '<base />', onError));
  const r = respond(cfg);
  assert.equal(r.status, 400);
  assert.deepEqual(r.headers['x-err'], ['check-header|HeaderNotFound|api|inbound']);
  const replaced = respond(withApiPolicy(apiPolicy('<check-header name="X-Need" failed-check-httpcode="400" failed-check-error-message="need" ignore-case="true" />', '<base />', '<return-response><set-status code="499" /></return-response>')));
  assert.equal(replaced.status, 499);
  // A null dereference in an expression (no product without ?.): 500 { statusCode, message, activityId }.
  const npe = respond(withApiPolicy(apiPolicy('<set-header name="X" exists-action="override"><value>@(context.Product.Name)</value></set-header>'), {}));
  assert.equal(npe.status, 500);
  assert.deepEqual(json(npe.body), { statusCode: 500, message: 'Internal server error', activityId: 'rid' });
  // An outbound failure (expression) also ends in on-error.
  const d = forward(withApiPolicy(apiPolicy('', '<set-header name="X" exists-action="override"><value>@(context.Variables["nope"])</value></set-header>', onError)));
  const out = handleResponse(d.ctx, { status: 200, headers: {}, body: { kind: 'passthrough' } });
  assert.equal(out.status, 500);
  assert.deepEqual(out.headers['x-err'], ['expression|ExpressionValueEvaluationFailure||outbound']);
});

test('product policies apply only in a product context, global and operation policies always', () => {
  const mark = (name: string, v: string) => `<set-header name="${name}" exists-action="override"><value>${v}</value></set-header>`;
  const cfg = config({
    policy: { properties: { value: `<policies><inbound>${mark('x-global', 'g')}</inbound><backend><forward-request /></backend><outbound /></policies>` } },
    apis: [api('echo', 'echo', [op('get', 'GET', '/items/{id}', { policy: { properties: { value: apiPolicy(mark('x-op', 'o')) } } })], {}, apiPolicy(mark('x-api', 'a')))],
    products: [{ name: 'starter', properties: { displayName: 'Starter', subscriptionRequired: true, state: 'published' }, apis: ['echo'], policy: { properties: { value: apiPolicy(mark('x-product', 'p')) } } }],
    subscriptions: [sub('prod', '/products/starter', 'k-prod'), sub('apisub', '/apis/echo', 'k-api'), sub('master', SVC, 'k-master')],
  });
  const headersFor = (key: string) => forward(cfg, req('GET', '/echo/items/1', { 'Ocp-Apim-Subscription-Key': key })).request.headers;
  const viaProduct = headersFor('k-prod');
  assert.deepEqual([viaProduct['x-global'], viaProduct['x-product'], viaProduct['x-api'], viaProduct['x-op']], ['g', 'p', 'a', 'o']);
  for (const key of ['k-api', 'k-master']) {
    const h = headersFor(key);
    assert.deepEqual([h['x-global'], h['x-product'], h['x-api'], h['x-op']], ['g', undefined, 'a', 'o'], key);
  }
});
