// One Deploy against a scripted SCM site (Kudu's documented answers): publish, follow, fail with the log,
// and the bounded retries for a warming SCM site and for storage RBAC that has not propagated yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oneDeploy, type Timing } from '../../src/deploy/one-deploy.ts';
import { TransportError, type HttpClient, type HttpOptions, type HttpResponse } from '../../src/deploy/http.ts';
import { Redactor } from '../../src/deploy/secrets.ts';

const TOKEN = 'eyJhbGciOi.fake-arm-token.value';
const fast: Timing = { intervalMs: 1, warmupMs: 200, rbacMs: 200, deployMs: 500 };
const zip = new Uint8Array([0x50, 0x4b, 5, 6, ...new Array(18).fill(0)]);

type Handler = (url: URL, o: HttpOptions, n: number) => Partial<HttpResponse> | Error;

function scm(handler: Handler) {
  const calls: Array<{ method: string; path: string; auth?: string; type?: string; bytes?: number }> = [];
  const http: HttpClient = async (url, o) => {
    const u = new URL(url);
    calls.push({ method: o.method, path: u.pathname + u.search, auth: o.headers?.Authorization, type: o.headers?.['Content-Type'], bytes: o.body?.length });
    const r = handler(u, o, calls.length);
    if (r instanceof Error) throw r;
    return { status: 200, headers: {}, text: '', ...r };
  };
  return { http, calls };
}

const run = (http: HttpClient, timing = fast) => oneDeploy({ scmHost: '127.0.0.1:7001', zip, token: async () => TOKEN, http, timing, redactor: new Redactor() });

test('publishes the zip with the bearer token and follows the deployment id until status 4', async () => {
  let polls = 0;
  const { http, calls } = scm((u) => {
    if (u.pathname === '/api/publish') return { status: 202, headers: { 'scm-deployment-id': 'dep-1', location: 'https://127.0.0.1:7001/api/deployments/latest' } };
    if (u.pathname === '/api/deployments/dep-1') return { text: JSON.stringify({ id: 'dep-1', status: ++polls < 3 ? 1 : 4, complete: polls >= 3 }) };
    return { status: 404 };
  });
  const r = await run(http);
  assert.deepEqual(r, { deploymentId: 'dep-1', attempts: 1 });
  assert.equal(calls[0].method, 'POST');
  assert.equal(calls[0].path, '/api/publish?isAsync=true&RemoteBuild=false&Deployer=apim-fn');
  assert.equal(calls[0].auth, `Bearer ${TOKEN}`);
  assert.equal(calls[0].type, 'application/zip');
  assert.equal(calls[0].bytes, zip.length);
  assert.equal(calls.filter((c) => c.path === '/api/deployments/dep-1').length, 3);
});

test('no id in the answer: the newest of /api/deployments is followed', async () => {
  const { http, calls } = scm((u) => {
    if (u.pathname === '/api/publish') return { status: 202 };
    if (u.pathname === '/api/deployments') return { text: JSON.stringify([{ id: 'old', received_time: '2026-01-01T00:00:00Z' }, { id: 'new', received_time: '2026-01-02T00:00:00Z' }]) };
    if (u.pathname === '/api/deployments/new') return { text: JSON.stringify({ id: 'new', status: 4 }) };
    return { status: 404 };
  });
  assert.equal((await run(http)).deploymentId, 'new');
  assert.ok(calls.some((c) => c.path === '/api/deployments'));
});

test('status 3 (Failed) with HTTP 200 fails with the last log messages, errors first; the token is never in the message', async () => {
  const { http } = scm((u) => {
    if (u.pathname === '/api/publish') return { status: 202, headers: { 'scm-deployment-id': 'd' } };
    if (u.pathname === '/api/deployments/d') return { text: JSON.stringify({ id: 'd', status: 3, status_text: '' }) };
    if (u.pathname === '/api/deployments/d/log')
      return { text: JSON.stringify([{ message: 'Starting deployment', type: 0 }, { message: `Syntax error in host.json (token ${TOKEN})\nat line 2`, type: 2 }, { message: 'Deployment failed', type: 0 }]) };
    return { status: 404 };
  });
  await assert.rejects(run(http), (e: Error) => {
    assert.equal(e.name, 'UserError');
    assert.match(e.message, /deployment d failed on 127\.0\.0\.1:7001: Syntax error in host\.json/);
    assert.doesNotMatch(e.message, /fake-arm-token/);
    assert.doesNotMatch(e.message, /at line 2/, 'one line per message');
    return true;
  });
});

test('an SCM site still warming up (refused connections, 404, 503) is retried, bounded', async () => {
  const { http, calls } = scm((u, _o, n) => {
    if (u.pathname === '/api/publish') {
      if (n === 1) return new TransportError('connect ECONNREFUSED', 'ECONNREFUSED');
      if (n === 2) return { status: 404 };
      if (n === 3) return { status: 503 };
      return { status: 202, headers: { 'scm-deployment-id': 'd' } };
    }
    // A just-created id may 404 for a moment.
    if (u.pathname === '/api/deployments/d') return n === 5 ? { status: 404 } : { text: JSON.stringify({ id: 'd', status: 4 }) };
    return { status: 404 };
  });
  assert.equal((await run(http)).attempts, 4);
  assert.equal(calls.filter((c) => c.method === 'POST').length, 4);

  const never = scm(() => ({ status: 404, text: 'The SCM endpoint has nothing deployed yet.' }));
  const t = Date.now();
  await assert.rejects(run(never.http), /kept failing for \d+s: publish answered 404.*is the SCM site 127\.0\.0\.1:7001 up/);
  assert.ok(Date.now() - t < 2_000, 'gives up within its budget');
});

test('storage 403 right after the role assignment (HTTP 403, 400 BlobUploadFailed, or a Failed deployment saying so) is retried', async () => {
  let failedOnce = false;
  const { http, calls } = scm((u, _o, n) => {
    if (u.pathname === '/api/publish') {
      if (n === 1) return { status: 403, text: 'Forbidden' };
      if (n === 2) return { status: 400, text: 'BlobUploadFailedException: Status: 403 (This request is not authorized to perform this operation.)' };
      return { status: 202, headers: { 'scm-deployment-id': 'd' } };
    }
    if (u.pathname === '/api/deployments/d') {
      if (!failedOnce) {
        failedOnce = true;
        return { text: JSON.stringify({ id: 'd', status: 3, status_text: 'Failed to upload the package: AuthorizationPermissionMismatch' }) };
      }
      return { text: JSON.stringify({ id: 'd', status: 4 }) };
    }
    if (u.pathname === '/api/deployments/d/log') return { text: '[]' };
    return { status: 404 };
  });
  assert.equal((await run(http)).attempts, 4);
  assert.equal(calls.filter((c) => c.method === 'POST').length, 4);

  const always = scm(() => ({ status: 403, text: 'Forbidden' }));
  await assert.rejects(run(always.http), /Storage Blob Data Owner/);
});

test('401 and other client errors fail at once, with the SCM answer and no retry', async () => {
  const denied = scm(() => ({ status: 401, text: 'Unauthorized' }));
  await assert.rejects(run(denied.http), /refused \(sign in again.*HTTP 401: Unauthorized/);
  assert.equal(denied.calls.length, 1);
  const bad = scm(() => ({ status: 413, text: 'Request Entity Too Large' }));
  await assert.rejects(run(bad.http), /HTTP 413: Request Entity Too Large/);
  assert.equal(bad.calls.length, 1);
});

test('a deployment that never ends fails after its budget, naming the last status', async () => {
  const { http } = scm((u) => {
    if (u.pathname === '/api/publish') return { status: 202, headers: { 'scm-deployment-id': 'd' } };
    return { text: JSON.stringify({ id: 'd', status: 1, status_text: 'Building' }) };
  });
  await assert.rejects(run(http, { ...fast, deployMs: 50 }), /did not finish within 0s \(last status: 1\)/);
});
