import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleBackendFailure, handleRequest, handleResponse } from '../../src/local/gateway/gateway.ts';
import { compileExpression, ExprDict, ExpressionError, ExpressionRuntimeError } from '../../src/local/gateway/expressions.ts';
import { newGatewayState } from '../../src/local/gateway/policies.ts';
import type { GatewayConfig } from '../../src/local/gateway/model.ts';
import { api, apiPolicy, bodyText, config, json, op, req, sub, SVC } from './gateway-fixtures.ts';

const ON_ERROR_GLOBAL = `<policies><inbound /><backend><forward-request /></backend><outbound /><on-error><set-header name="X-Error" exists-action="override"><value>@(context.LastError.Source + "/" + context.LastError.Reason)</value></set-header></on-error></policies>`;

test('an unmatched request answers 404 Resource not found, through the global on-error section', () => {
  const cfg = config({ policy: { properties: { value: ON_ERROR_GLOBAL } } });
  for (const url of ['/nope', '/echo/unknown']) {
    const d = handleRequest(cfg, req('GET', url), { state: newGatewayState() });
    assert.ok(d.action === 'respond');
    assert.equal(d.response.status, 404);
    assert.deepEqual(json(d.response.body), { statusCode: 404, message: 'Resource not found' });
    assert.deepEqual(d.response.headers['x-error'], ['configuration/OperationNotFound']);
  }
});

test('missing and invalid keys answer APIM 401 bodies, through on-error (api scope included)', () => {
  const cfg = config({
    policy: { properties: { value: ON_ERROR_GLOBAL } },
    apis: [api('echo', 'echo', [op('get', 'GET', '/x')], {}, apiPolicy('', '<base />', '<base /><set-header name="X-Api" exists-action="override"><value>seen</value></set-header>'))],
  });
  const missing = handleRequest(cfg, req('GET', '/echo/x'), { state: newGatewayState() });
  assert.ok(missing.action === 'respond');
  assert.equal(missing.response.status, 401);
  assert.deepEqual(json(missing.response.body), { statusCode: 401, message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.' });
  assert.deepEqual(missing.response.headers['x-error'], ['authorization/SubscriptionKeyNotFound']);
  assert.deepEqual(missing.response.headers['x-api'], ['seen']);
  const invalid = handleRequest(cfg, req('GET', '/echo/x', { 'Ocp-Apim-Subscription-Key': 'wrong' }), { state: newGatewayState() });
  assert.ok(invalid.action === 'respond');
  assert.deepEqual(json(invalid.response.body), { statusCode: 401, message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.' });
  assert.deepEqual(invalid.response.headers['x-error'], ['authorization/SubscriptionKeyInvalid']);
});

test('the Functions scenario: key-protected API, named value injected as x-functions-key, response passed back', () => {
  const cfg: GatewayConfig = config({
    apis: [
      api(
        'hello',
        'hello',
        [op('get-hello', 'GET', '/hello?name={name}')],
        { serviceUrl: 'https://fn-app.azurewebsites.net/api' },
        apiPolicy('<set-header name="x-functions-key" exists-action="override"><value>{{function-app-key}}</value></set-header>', '<base /><set-header name="X-Powered-By" exists-action="delete" />'),
      ),
    ],
    namedValues: [{ name: 'function-app-key', properties: { displayName: 'function-app-key', value: 'host-key-xyz', secret: true } }],
    subscriptions: [sub('apim-fn', `${SVC}/apis/hello`, 'client-key')],
  });
  const state = newGatewayState();
  const d = handleRequest(cfg, req('GET', '/hello/hello?name=ada', { 'Ocp-Apim-Subscription-Key': 'client-key' }), { state });
  assert.ok(d.action === 'forward');
  assert.equal(d.request.url, 'https://fn-app.azurewebsites.net/api/hello?name=ada');
  assert.equal(d.request.headers['x-functions-key'], 'host-key-xyz');
  const out = handleResponse(d.ctx, { status: 200, headers: { 'content-type': ['text/plain'], 'x-powered-by': ['Functions'] }, body: { kind: 'passthrough' } });
  assert.deepEqual(out, { status: 200, headers: { 'content-type': ['text/plain'] }, body: { kind: 'passthrough' } });
  // The required query parameter (template parameter) is missing → 404 before any policy.
  const noName = handleRequest(cfg, req('GET', '/hello/hello', { 'Ocp-Apim-Subscription-Key': 'client-key' }), { state });
  assert.ok(noName.action === 'respond' && noName.response.status === 404);
  // Backend unreachable → 500.
  const failed = handleBackendFailure(d.ctx, 'ECONNREFUSED');
  assert.equal(failed.status, 500);
  assert.equal(JSON.parse(bodyText(failed.body)!).message, 'Internal server error');
});

test('a global policy without a backend section still forwards; one whose backend lacks forward-request does not', () => {
  const k = { 'Ocp-Apim-Subscription-Key': 'key-echo' };
  const partial = config({ policy: { properties: { value: '<policies><inbound /></policies>' } } });
  assert.equal(handleRequest(partial, req('GET', '/echo/resource', k), { state: newGatewayState() }).action, 'forward');
  const noForward = config({ policy: { properties: { value: '<policies><inbound /><backend /></policies>' } } });
  const d = handleRequest(noForward, req('GET', '/echo/resource', k), { state: newGatewayState() });
  assert.ok(d.action === 'respond' && d.response.status === 200 && d.response.body.kind === 'none');
});

test('policy expressions: the supported subset evaluates like C#, the rest is refused', () => {
  const ctx = {
    Request: { Method: 'GET', Headers: new ExprDict((k) => (k.toLowerCase() === 'x-a' ? 'Va' : undefined)) },
    Product: null,
    Variables: new ExprDict((k) => ({ n: '41' })[k]),
  };
  const cases: Array<[string, unknown]> = [
    ['@("a" + "b")', 'ab'],
    ['@(context.Request.Method)', 'GET'],
    ['@(context.Request.Headers.GetValueOrDefault("X-A"))', 'Va'],
    ['@(context.Request.Headers.GetValueOrDefault("x-b", "dflt"))', 'dflt'],
    ['@(context.Request.Headers.GetValueOrDefault("x-b"))', null],
    ['@(context.Product?.Name ?? "none")', 'none'],
    ['@(context.Request.Method == "GET" && !(context.Request.Method != "GET"))', true],
    ['@(context.Request.Headers.ContainsKey("x-a") || false)', true],
    ['@((int)context.Variables["n"] + 1)', 42],
    ['@((string)context.Variables.GetValueOrDefault("missing"))', null],
    ['@(String.IsNullOrEmpty(context.Request.Headers.GetValueOrDefault("x-b", "")))', true],
    ['@(@"say ""hi""")', 'say "hi"'],
    ['@("line\\n".Trim().Replace("l", "L").ToUpper().StartsWith("LINE"))', true],
    ['@(context.Request.Method.Length)', 3],
  ];
  for (const [src, expected] of cases) {
    const c = compileExpression(src);
    assert.ok(!(c instanceof Error), `${src}: ${c instanceof Error ? c.message : ''}`);
    assert.deepEqual(c.evaluate(ctx), expected, src);
  }
  const guid = compileExpression('@(Guid.NewGuid().ToString())');
  assert.ok(!(guid instanceof Error));
  assert.match(String(guid.evaluate({})), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  for (const bad of ['@{ return 1; }', '@(context.Request.Body.As<string>())', '@(x.y)', '@(context.Request.Foo)', '@(context.Request.Method.Substring(1))', '@(1 ? 2 : 3)', 'plain', '@(context.Request.Headers.GetValueOrDefault())'])
    assert.ok(compileExpression(bad) instanceof ExpressionError, bad);
  const npe = compileExpression('@(context.Product.Name)');
  assert.ok(!(npe instanceof Error));
  assert.throws(() => npe.evaluate(ctx), ExpressionRuntimeError);
  const missingKey = compileExpression('@(context.Variables["nope"])');
  assert.ok(!(missingKey instanceof Error));
  assert.throws(() => missingKey.evaluate(ctx), /given key was not present/);
});
