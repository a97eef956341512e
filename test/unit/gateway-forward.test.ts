import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { sendToBackend, BackendTimeoutError } from '../../src/local/gateway/forward.ts';
import { handleRequest, handleResponse } from '../../src/local/gateway/gateway.ts';
import { newGatewayState } from '../../src/local/gateway/policies.ts';
import { api, apiPolicy, config, op, req } from './gateway-fixtures.ts';

const readAll = async (s: IncomingMessage | Readable): Promise<string> => {
  let out = '';
  for await (const c of s) out += c;
  return out;
};

test('sendToBackend delivers the decided request to a loopback backend and streams the answer back', async (t) => {
  const seen: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }> = [];
  const server = createServer(async (rq, rs) => {
    seen.push({ method: rq.method, url: rq.url, headers: rq.headers, body: await readAll(rq) });
    if (rq.url?.startsWith('/api/slow')) return; // never answers
    if (rq.url?.startsWith('/api/moved')) {
      rs.writeHead(302, { location: '/api/items/9' }).end();
      return;
    }
    rs.writeHead(201, { 'content-type': 'text/plain', 'x-powered-by': 'fn', 'set-cookie': ['a=1', 'b=2'] }).end('made');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  const cfg = config({
    apis: [api('echo', 'echo', [op('post', 'POST', '/items'), op('slow', 'GET', '/slow'), op('moved', 'GET', '/moved')], { serviceUrl: 'http://fn-app.azurewebsites.net/api' }, apiPolicy('', '<base /><set-header name="X-Powered-By" exists-action="delete" />', '<base />', '<forward-request timeout="1" follow-redirects="true" />'))],
  });
  const connectTo = () => ({ host: '127.0.0.1', port });

  const d = handleRequest(cfg, req('POST', '/echo/items?x=1', { 'Ocp-Apim-Subscription-Key': 'key-echo', 'content-type': 'text/plain', 'content-length': '5' }), { state: newGatewayState() });
  assert.ok(d.action === 'forward');
  const res = await sendToBackend(d.request, { connectTo, body: Readable.from(['hello']) });
  const out = handleResponse(d.ctx, { status: res.status, headers: res.headers, body: { kind: 'passthrough' } });
  assert.equal(out.status, 201);
  assert.equal(out.headers['x-powered-by'], undefined);
  assert.deepEqual(out.headers['set-cookie'], ['a=1', 'b=2']);
  assert.equal(await readAll(res.body), 'made');
  assert.equal(seen[0].method, 'POST');
  assert.equal(seen[0].url, '/api/items?x=1');
  assert.equal(seen[0].headers.host, 'fn-app.azurewebsites.net');
  assert.equal(seen[0].headers['x-forwarded-for'], '10.1.2.3');
  assert.equal(seen[0].body, 'hello');

  const moved = handleRequest(cfg, req('GET', '/echo/moved', { 'Ocp-Apim-Subscription-Key': 'key-echo' }), { state: newGatewayState() });
  assert.ok(moved.action === 'forward');
  const followed = await sendToBackend(moved.request, { connectTo });
  assert.equal(followed.status, 201);
  await readAll(followed.body);
  assert.equal(seen.at(-1)?.url, '/api/items/9');

  const slow = handleRequest(cfg, req('GET', '/echo/slow', { 'Ocp-Apim-Subscription-Key': 'key-echo' }), { state: newGatewayState() });
  assert.ok(slow.action === 'forward');
  await assert.rejects(sendToBackend(slow.request, { connectTo }), BackendTimeoutError);
});
