import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOperation, buildCallPath, bodyFor, parseParamFlags, maskKey, type OperationContract } from '../../src/gateway-client/operation.ts';
import { shortScope } from '../../src/gateway-client/project.ts';

const ops: OperationContract[] = [
  { name: 'get-getter', method: 'GET', urlTemplate: '/getter', request: { queryParameters: [{ name: 'message', type: 'string', required: true }] } },
  { name: 'post-poster', method: 'POST', urlTemplate: '/poster', request: { representations: [{ contentType: 'text/plain' }] } },
  { name: 'getitem', method: 'GET', urlTemplate: '/items/{id}?verbose={verbose}', templateParameters: [{ name: 'id', type: 'integer' }, { name: 'verbose', type: 'boolean' }] },
  { name: 'deleteitem', method: 'DELETE', urlTemplate: '/items/{id}', templateParameters: [{ name: 'id', type: 'integer' }] },
];

test('operations resolve by APIM name, by operationId as APIM normalizes it, and by path', () => {
  assert.equal(resolveOperation(ops, 'get-getter').name, 'get-getter');
  assert.equal(resolveOperation(ops, 'getter').name, 'get-getter');
  assert.equal(resolveOperation(ops, '/poster').name, 'post-poster');
  assert.equal(resolveOperation(ops, 'getItem').name, 'getitem');
  assert.throws(() => resolveOperation(ops, 'items/{id}'), /ambiguous.*getitem.*deleteitem/);
  assert.throws(() => resolveOperation(ops, 'nope'), (e: any) => e.exitCode === 2 && /operations: get-getter \(GET \/getter\)/.test(e.message));
});

test('call paths: required, typed and unknown parameters are checked before sending', () => {
  assert.equal(buildCallPath(ops[0], { message: 'hello world' }), '/getter?message=hello+world');
  assert.throws(() => buildCallPath(ops[0], {}), /missing required parameter --message/);
  assert.throws(() => buildCallPath(ops[0], { message: 'x', other: 'y' }), /unknown parameter --other.*--message/);
  assert.equal(buildCallPath(ops[2], { id: '42', verbose: 'true' }), '/items/42?verbose=true');
  assert.throws(() => buildCallPath(ops[2], { id: 'abc', verbose: 'true' }), /--id must be an integer/);
  assert.throws(() => buildCallPath(ops[2], { id: '1', verbose: 'maybe' }), /--verbose must be a boolean/);
});

test('bodies take the content type of the operation; JSON is checked', () => {
  assert.deepEqual(bodyFor(ops[1], 'hi'), { contentType: 'text/plain', body: 'hi' });
  const jsonOp: OperationContract = { ...ops[1], request: { representations: [{ contentType: 'application/json' }] } };
  assert.throws(() => bodyFor(jsonOp, '{oops'), /not valid JSON/);
  assert.deepEqual(bodyFor(ops[1], undefined), {});
});

test('flags, key masking and scopes', () => {
  assert.deepEqual(parseParamFlags(['--message', 'world', '--n=2']), { message: 'world', n: '2' });
  assert.throws(() => parseParamFlags(['--message']), /needs a value/);
  assert.throws(() => parseParamFlags(['oops']), /unexpected argument/);
  assert.equal(maskKey('2659468a7253fc868d532e7b7b5b13f4'), '2659…f4');
  assert.equal(shortScope('/subscriptions/s/resourceGroups/r/providers/Microsoft.ApiManagement/service/x/products/apim-fn'), 'product apim-fn');
  assert.equal(shortScope('/apis/example'), 'api example');
  assert.equal(shortScope('/subscriptions/s/resourceGroups/r/providers/Microsoft.ApiManagement/service/x/'), 'all access');
});
