// OpenAPI import as APIM performs it: operation names, display names, URL templates, servers, validation, re-import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ImportError,
  dedupeNames,
  deriveOperations,
  normalizeOperationName,
  parseSpec,
  planReimport,
  type DerivedOperation,
} from '../../src/local/arm/providers/apim/openapi-import.ts';

const oas3 = (paths: string, extra = '') => `openapi: 3.0.2\ninfo: {title: T, version: '1'}\n${extra}paths:\n${paths}`;
const ok = "      responses: {'200': {description: ok}}\n";

test('normalizeOperationName follows the documented rules', () => {
  const cases: Array<[string, string]> = [
    ['GET-/foo/{bar}?buzz={quix}', 'get-foo-bar-buzz-quix'], // the documentation's own example
    ['getUserById', 'getuserbyid'],
    ['Get User__by id!!', 'get-user-by-id'],
    ['--x--', 'x'],
    ['POST-/poster', 'post-poster'],
    ['a'.repeat(100), 'a'.repeat(76)],
  ];
  for (const [input, want] of cases) assert.equal(normalizeOperationName(input), want, input);
});

test('dedupeNames adds -1, -2 … to names already taken, case-insensitively', () => {
  assert.deepEqual(dedupeNames(['a', 'a', 'A', 'b', 'a-1']), ['a', 'a-1', 'A-2', 'b', 'a-1-1']);
});

test('deriveOperations: names, display names and URL templates', () => {
  const cases: Array<{ spec: string; opts?: { translateRequiredQueryParameters?: string }; want: Array<Partial<DerivedOperation>> }> = [
    {
      spec: oas3(`  /getter:\n    get:\n      parameters: [{name: message, in: query, required: true, schema: {type: string}}]\n${ok}  /poster:\n    post:\n${ok}`),
      want: [
        { name: 'get-getter-message-message', method: 'GET', urlTemplate: '/getter?message={message}', displayName: 'Get - /getter?message={message}' },
        { name: 'post-poster', method: 'POST', urlTemplate: '/poster', displayName: 'Post - /poster' },
      ],
    },
    {
      spec: oas3(`  /getter:\n    get:\n      parameters: [{name: message, in: query, required: true, schema: {type: string}}]\n${ok}`),
      opts: { translateRequiredQueryParameters: 'query' },
      want: [{ name: 'get-getter', urlTemplate: '/getter' }],
    },
    {
      spec: oas3(`  /users/{id}:\n    get:\n      operationId: Get_User\n      summary: Read one user\n${ok}    delete:\n      operationId: deleteUser\n${ok}`),
      want: [
        { name: 'get-user', operationId: 'Get_User', displayName: 'Read one user', description: 'Read one user', urlTemplate: '/users/{id}' },
        { name: 'deleteuser', displayName: 'deleteUser' },
      ],
    },
    {
      spec: oas3(`  /a:\n    get:\n      operationId: same\n${ok}  /b:\n    get:\n      operationId: same\n${ok}  /c:\n    get:\n      operationId: SAME\n${ok}`),
      want: [{ name: 'same' }, { name: 'same-1' }, { name: 'same-2' }],
    },
    {
      spec: oas3(`  /items/{itemId}:\n    get:\n${ok}`),
      want: [{ name: 'get-items-itemid', urlTemplate: '/items/{itemId}' }],
    },
  ];
  for (const c of cases) {
    const got = deriveOperations(parseSpec('openapi', c.spec), c.opts);
    assert.equal(got.length, c.want.length, c.spec);
    c.want.forEach((w, k) => {
      for (const [key, value] of Object.entries(w)) assert.deepEqual((got[k] as any)[key], value, `${key} of ${got[k].name}`);
    });
  }
});

test('deriveOperations: parameters, bodies and responses', () => {
  const spec = parseSpec(
    'openapi',
    oas3(
      `  /things/{id}:
    parameters: [{$ref: '#/components/parameters/Id'}]
    get:
      parameters:
        - {name: q, in: query, schema: {type: integer, default: 3}}
        - {name: x-trace, in: header, required: true, schema: {type: string, enum: [a, b]}}
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}, example: {id: 1}}}}
        default: {description: error}
    put:
      requestBody: {description: The thing, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
      responses: {'204': {description: saved}}
`,
    ) + `components:\n  parameters:\n    Id: {name: id, in: path, required: true, schema: {type: string}}\n  schemas:\n    Thing: {type: object}\n`,
  );
  const [get, put] = deriveOperations(spec);
  assert.deepEqual(get.templateParameters, [{ name: 'id', type: 'string', required: true, values: [] }]);
  assert.deepEqual(get.request.queryParameters, [{ name: 'q', type: 'integer', required: false, values: [], defaultValue: '3' }]);
  assert.deepEqual(get.request.headers, [{ name: 'x-trace', type: 'string', required: true, values: ['a', 'b'] }]);
  assert.deepEqual(get.request.representations, [], 'GET loses its request body');
  assert.deepEqual(get.responses, [
    { statusCode: 200, description: 'ok', representations: [{ contentType: 'application/json', typeName: 'Thing', examples: { default: { value: { id: 1 } } } }], headers: [] },
  ]);
  assert.equal(put.request.description, 'The thing');
  assert.deepEqual(put.request.representations, [{ contentType: 'application/json', typeName: 'Thing' }]);
  assert.equal(put.responses[0].statusCode, 204);
});

test('parseSpec: servers, info, OpenAPI 2 and 3.1', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['openapi', oas3('  {}\n', "servers: [{url: 'http://a'}, {url: 'https://{h}/api/', variables: {h: {default: b.example}}}]\n"), 'https://b.example/api'],
    ['openapi', oas3('  {}\n', "servers: [{url: 'http://only.example'}]\n"), undefined],
    ['openapi+json', JSON.stringify({ openapi: '3.1.0', info: { title: 'T', version: '1' } }), undefined],
    ['swagger-json', JSON.stringify({ swagger: '2.0', info: { title: 'T', version: '1' }, host: 'h.example', basePath: '/v1', schemes: ['http', 'https'], paths: {} }), 'https://h.example/v1'],
  ];
  for (const [format, text, url] of cases) assert.equal(parseSpec(format, text).serviceUrl, url, text);
  const s2 = parseSpec('swagger-json', JSON.stringify({
    swagger: '2.0', info: { title: 'T', version: '1' }, consumes: ['application/json'],
    paths: { '/p': { post: { parameters: [{ name: 'b', in: 'body', schema: { $ref: '#/definitions/B' } }], responses: { 200: { description: 'ok' } } } } },
    definitions: { B: { type: 'object' } },
  }));
  assert.deepEqual(deriveOperations(s2)[0].request.representations, [{ contentType: 'application/json', typeName: 'B' }]);
});

test('parseSpec rejects what APIM rejects, with its ValidationError details', () => {
  const bad: Array<[string, string, RegExp]> = [
    ['openapi', 'openapi: 3.0.2\ninfo: [', /Parsing error\(s\): \(Lin: \d+, Col: \d+, Chr: \d+\)/],
    ['openapi', 'hello: world', /not valid for the OpenAPI specification/],
    ['openapi', 'openapi: 3.0.2\npaths: {}', /Required property 'info'/],
    ['openapi', "openapi: 3.0.2\ninfo: {title: T, version: '1'}", /Required property 'paths'/],
    ['openapi', "openapi: 3.0.2\ninfo: {title: T, version: '1'}\npaths: {/a: {get: {}}}", /Required property 'responses'/],
    ['openapi+json', '{"swagger":"2.0","info":{"title":"T","version":"1"},"paths":{}}', /not valid for the OpenAPI specification/],
    ['openapi+json', '{not json', /Parsing error/],
    ['swagger-json', '{"openapi":"3.0.0"}', /versions\/2\.0\.md/],
  ];
  for (const [format, text, re] of bad) {
    assert.throws(() => parseSpec(format, text), (e: any) => e instanceof ImportError && e.details.every((d) => d.target === 'representation') && re.test(e.message), text);
  }
  const external = parseSpec('openapi', oas3(`  /a:\n    get:\n      parameters: [{$ref: 'other.yaml#/P'}]\n${ok}`));
  assert.throws(() => deriveOperations(external), /can't reference external files/);
});

test('planReimport: match by name, update in place, create the new, delete the unmatched', () => {
  const op = (name: string, method: string, urlTemplate: string) => ({ name, method, urlTemplate }) as DerivedOperation;
  const existing = [
    { name: 'get-getter', method: 'GET', urlTemplate: '/getter' },
    { name: 'post-poster', method: 'POST', urlTemplate: '/poster' },
  ];
  const cases: Array<{ derived: DerivedOperation[]; update: string[]; create: string[]; remove: string[] }> = [
    { derived: [op('get-getter', 'GET', '/getter'), op('post-poster', 'POST', '/poster')], update: ['get-getter', 'post-poster'], create: [], remove: [] },
    { derived: [op('get-getter', 'GET', '/getter')], update: ['get-getter'], create: [], remove: ['post-poster'] },
    // A new operationId on the same method and path replaces the old operation.
    { derived: [op('readgetter', 'GET', '/getter'), op('post-poster', 'POST', '/poster')], update: ['post-poster'], create: ['readgetter'], remove: ['get-getter'] },
    { derived: [op('GET-GETTER', 'GET', '/getter2')], update: ['GET-GETTER'], create: [], remove: ['post-poster'] },
  ];
  for (const c of cases) {
    const plan = planReimport(existing, c.derived);
    assert.deepEqual([plan.update.map((d) => d.name), plan.create.map((d) => d.name), plan.remove], [c.update, c.create, c.remove]);
  }
  // The documented trap: a matched operation takes the method and template of an unmatched one.
  assert.throws(() => planReimport(existing, [op('get-getter', 'POST', '/poster')]), /Operation with the same method and URL template already exists: POST, \/poster/);
});
