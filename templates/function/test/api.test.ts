// The API that api-spec.yml describes: /getter and /poster, and the 500 path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpRequest } from '@azure/functions';
import { getterFunction } from '../src/functions/getter';
import { posterFunction } from '../src/functions/poster';
import { withErrorHandling } from '../src/lib/http';
import { call, run, BASE } from './helpers';

const getter = getterFunction.handler;
const poster = posterFunction.handler;

test('getter echoes the message as JSON', async () => {
  const { response } = await call(getter, { path: '/getter?message=hello%20world' });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(await response.json(), { message: 'hello world' });
});

test('getter keeps unicode, surrounding spaces and reserved characters as sent', async () => {
  for (const message of ['héllo wörld', '日本語のメッセージ', '🚀 emoji ✓', '  padded  ', 'a&b=c?d#e']) {
    const url = `${BASE}/getter?message=${encodeURIComponent(message)}`;
    const { response } = await run(getter, new HttpRequest({ method: 'GET', url }));
    assert.equal(response.status, 200, message);
    assert.equal(await response.text(), JSON.stringify({ message }), message);
  }
});

test('getter takes the query the host passes separately from the URL', async () => {
  // The host hands the query over both in the URL and as `query`; the library prefers `query`.
  const { response } = await call(getter, { path: '/getter', query: { message: 'from query' } });
  assert.deepEqual(await response.json(), { message: 'from query' });
});

test('getter answers 422 with an error body when message is missing, empty or blank', async () => {
  const cases: Array<[string, RegExp]> = [
    ['/getter', /required/],
    ['/getter?other=1', /required/],
    ['/getter?message=', /empty or blank/],
    ['/getter?message=%20%20%20', /empty or blank/],
    ['/getter?message=%09%0A', /empty or blank/],
    ['/getter?message=%C2%A0%E3%80%80', /empty or blank/], // no-break space, ideographic space
  ];
  for (const [path, reason] of cases) {
    const { response } = await call(getter, { path });
    assert.equal(response.status, 422, path);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/, path);
    const body = (await response.json()) as { error: unknown };
    assert.deepEqual(Object.keys(body), ['error'], path);
    assert.equal(typeof body.error, 'string', path);
    assert.match(body.error as string, reason, path);
  }
});

test('poster hands the text body back as text/plain', async () => {
  for (const body of ['hello', 'zwei Wörter, 漢字 and 🚀', 'line 1\nline 2\n', '']) {
    const { response } = await call(poster, {
      method: 'POST',
      path: '/poster',
      body: { string: body },
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await response.text(), `You posted: ${body}`);
  }
});

test('poster decodes a body given as bytes as UTF-8', async () => {
  const { response } = await call(poster, {
    method: 'POST',
    path: '/poster',
    body: { bytes: new TextEncoder().encode('bytes ✓') },
  });
  assert.equal(await response.text(), 'You posted: bytes ✓');
});

test('an unexpected failure is a 500 with a generic error and the details only in the log', async () => {
  // A real failure, not a mock: the body was already consumed, so reading it again throws.
  const request = new HttpRequest({ method: 'POST', url: `${BASE}/poster`, body: { string: 'secret-body' } });
  await request.text();
  const { response, logs } = await run(poster, request);
  assert.equal(response.status, 500);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const text = await response.text();
  const body = JSON.parse(text) as { error: string };
  assert.match(body.error, /^Internal server error/);
  assert.match(body.error, /test-invocation/);
  assert.equal(logs.length, 1);
  assert.equal(logs[0].level, 'error');
  const err = logs[0].args.find((a): a is Error => a instanceof Error);
  assert.ok(err, 'the error itself is logged');
  assert.ok(!text.includes(err.message), 'the exception message does not leak');
  assert.ok(!text.includes(err.name) && !text.includes('secret-body'), 'nor its type or the request');
});

test('withErrorHandling passes a handler result through untouched', async () => {
  const wrapped = withErrorHandling(async () => ({ status: 201, body: 'made' }));
  const { response, logs } = await call(wrapped, { path: '/x' });
  assert.equal(response.status, 201);
  assert.equal(await response.text(), 'made');
  assert.equal(logs.length, 0);
});
