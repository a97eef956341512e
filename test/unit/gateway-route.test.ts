import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routeRequest, parseQuery, serializeQuery } from '../../src/local/gateway/route.ts';
import { api, config, op } from './gateway-fixtures.ts';

const cfg = config({
  apis: [
    api('root', '', [op('root-any', 'GET', '/{*rest}'), op('health', 'GET', '/health')]),
    api('echo', 'echo', [
      op('get-resource', 'GET', '/resource'),
      op('get-item', 'GET', '/items/{id}'),
      op('get-item-json', 'GET', '/items/{id}.json'),
      op('get-special', 'GET', '/items/special'),
      op('getter', 'GET', '/getter?message={message}'),
      op('getter-lit', 'GET', '/mode?kind=fast'),
      op('create', 'POST', '/resource'),
      op('root-op', 'GET', '/'),
      op('files', 'GET', '/files/{*path}'),
    ]),
    api('echo-v2', 'echo/v2', [op('v2-resource', 'GET', '/resource')]),
    api('echoes', 'echoes', [op('echoes-resource', 'GET', '/resource')]),
    api('old-rev', 'old', [op('x', 'GET', '/x')], { isCurrent: false }),
    api('offline', 'offline', [op('x', 'GET', '/x')], { isOnline: false }),
    api('httponly', 'plain', [op('x', 'GET', '/x')], { protocols: ['http'] }),
  ],
});

test('routeRequest picks the API by longest segment-aligned, case-insensitive path prefix and then the operation', () => {
  const cases: Array<[string, string, string, string | undefined, Record<string, string>?, string?]> = [
    // method, url, expected api, expected operation, template params, backendPath
    ['GET', '/echo/resource', 'echo', 'get-resource', {}, '/resource'],
    ['GET', '/ECHO/Resource', 'echo', 'get-resource', {}, '/Resource'],
    ['GET', '/echo/resource/', 'echo', 'get-resource', {}, '/resource/'],
    ['POST', '/echo/resource', 'echo', 'create'],
    ['GET', '/echo/v2/resource', 'echo-v2', 'v2-resource', {}, '/resource'],
    ['GET', '/echoes/resource', 'echoes', 'echoes-resource'],
    ['GET', '/echo/items/42', 'echo', 'get-item', { id: '42' }, '/items/42'],
    ['GET', '/echo/items/a%20b', 'echo', 'get-item', { id: 'a b' }],
    ['GET', '/echo/items/special', 'echo', 'get-special', {}],
    ['GET', '/echo/items/7.json', 'echo', 'get-item-json', { id: '7' }],
    ['GET', '/echo/getter?message=hi&other=1', 'echo', 'getter', { message: 'hi' }, '/getter'],
    ['GET', '/echo/mode?kind=fast', 'echo', 'getter-lit'],
    ['GET', '/echo', 'echo', 'root-op', {}, ''],
    ['GET', '/echo/', 'echo', 'root-op', {}, '/'],
    ['GET', '/echo/files/a/b/c.txt', 'echo', 'files', { path: 'a/b/c.txt' }],
    ['GET', '/health', 'root', 'health', {}, '/health'],
    ['GET', '/anything/else', 'root', 'root-any', { rest: 'anything/else' }],
    // Not segment aligned: '/echox' is not under 'echo' → root API's wildcard.
    ['GET', '/echox/resource', 'root', 'root-any'],
    // Non-current and offline revisions, and protocol mismatch, fall through to the root API.
    ['GET', '/old/x', 'root', 'root-any'],
    ['GET', '/offline/x', 'root', 'root-any'],
    ['GET', '/plain/x', 'root', 'root-any'],
  ];
  for (const [method, url, apiName, opName, params, backendPath] of cases) {
    const r = routeRequest(cfg, { method, url, protocol: 'https' });
    assert.ok(r.ok, `${method} ${url} should route`);
    assert.equal(r.match.api.name, apiName, `${method} ${url} api`);
    assert.equal(r.match.operation.name, opName, `${method} ${url} operation`);
    if (params) assert.deepEqual(r.match.templateParameters, params, `${method} ${url} params`);
    if (backendPath !== undefined) assert.equal(r.match.backendPath, backendPath, `${method} ${url} backendPath`);
  }
});

test('routeRequest answers APIM 404 Resource not found when no operation matches', () => {
  const noRoot = config({ apis: cfg.apis.filter((a) => a.name !== 'root') });
  const cases: Array<[string, string, string | undefined]> = [
    ['GET', '/nothing/here', undefined],
    ['DELETE', '/echo/resource', 'echo'], // method mismatch is 404, not 405
    ['GET', '/echo/getter', 'echo'], // required query parameter (template parameter) missing
    ['GET', '/echo/getter?other=1', 'echo'],
    ['GET', '/echo/mode?kind=slow', 'echo'], // literal query value differs
    ['GET', '/echo/items/1/2', 'echo'], // {id} matches one segment only
    ['GET', '/plain/x', undefined], // http-only API over https
  ];
  for (const [method, url, apiName] of cases) {
    const r = routeRequest(noRoot, { method, url, protocol: 'https' });
    assert.equal(r.ok, false, `${method} ${url}`);
    if (r.ok) continue;
    assert.equal(r.api?.name, apiName, `${method} ${url} api`);
    assert.equal(r.response.status, 404);
    assert.deepEqual(JSON.parse((r.response.body as { text: string }).text), { statusCode: 404, message: 'Resource not found' });
    assert.match(r.response.headers['content-type'][0], /^application\/json/);
  }
  const http = routeRequest(noRoot, { method: 'GET', url: '/plain/x', protocol: 'http' });
  assert.ok(http.ok, 'http-only API answers over http');
});

test('query parsing keeps order and decodes; serialization re-encodes', () => {
  const q = parseQuery('a=1&b=x%20y&c&a=2&d=p+q');
  assert.deepEqual(q, [
    { name: 'a', value: '1' },
    { name: 'b', value: 'x y' },
    { name: 'c', value: undefined },
    { name: 'a', value: '2' },
    { name: 'd', value: 'p q' },
  ]);
  assert.equal(serializeQuery(q), 'a=1&b=x%20y&c&a=2&d=p%20q');
});
