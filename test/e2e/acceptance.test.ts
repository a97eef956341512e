// The user's acceptance path, exactly as typed: up --local, keys, call; plus the key checks along the way
// (gateway without / with a wrong / with a rotated key, the function host without its key).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { httpsGet } from '../helpers/https-get.ts';

const get = (url: string, headers: Record<string, string> = {}) => httpsGet(url, ca, headers);

const data = mkdtempSync(join(tmpdir(), 'apim-fn-accept-data-'));
const cwd = mkdtempSync(join(tmpdir(), 'apim-fn-accept-proj-'));
const env = { APIM_FN_LOCAL_DATA: data, APIM_FN_CACHE: join(data, 'cache') };
const cli = (...args: string[]) => runCli(args, env, undefined, cwd);
let ca = '';
let summary: any;


before(async () => {
  copyFileSync(new URL('../../api-spec.yml', import.meta.url), join(cwd, 'api-spec.yml'));
  const up = await cli('up', '--local', '--name', 'accept', '--json');
  assert.equal(up.code, 0, up.stderr);
  summary = JSON.parse(up.stdout);
  const status = JSON.parse((await cli('local', 'status', '--json')).stdout);
  ca = readFileSync(status.caCert, 'utf8');
});
after(async () => {
  await cli('local', 'stop');
  rmSync(data, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

test('up deployed the code; keys lists admin and client with keys', async () => {
  assert.equal(summary.code.deployed, true);
  assert.ok(summary.code.functions.includes('getter'));
  const keys = await cli('keys');
  assert.equal(keys.code, 0, keys.stderr);
  assert.match(keys.stdout, /^admin\s+product apim-fn\s+active\s+[0-9a-f]{32}\s+[0-9a-f]{32}$/m);
  assert.match(keys.stdout, /^client\s+product apim-fn\s+active\s+[0-9a-f]{32}\s+[0-9a-f]{32}$/m);
});

test('call getter --message world → 200 with world; blank → 422 and exit 1; poster echoes', async () => {
  const ok = await cli('call', 'getter', '--message', 'world');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^200 OK/);
  assert.match(ok.stdout, /"message": "world"/);
  const blank = await cli('call', 'getter', '--message', ' ');
  assert.equal(blank.code, 1);
  assert.match(blank.stdout, /^422/);
  const post = await cli('call', 'poster', '--data', 'hello there');
  assert.equal(post.code, 0, post.stderr);
  assert.match(post.stdout, /hello there/);
  const missing = await cli('call', 'getter');
  assert.equal(missing.code, 2, 'missing required parameter is a usage error');
  const unknown = await cli('call', 'nope');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /get-getter/);
});

test('the gateway wants a valid key; a regenerated key replaces the old one; the function wants its key', async () => {
  const url = `${summary.endpoints.apiUrl}/getter?message=x`;
  const none = await get(url);
  assert.equal(none.status, 401);
  assert.match(none.body, /missing subscription key/);
  const wrong = await get(url, { 'Ocp-Apim-Subscription-Key': '0'.repeat(32) });
  assert.equal(wrong.status, 401);
  assert.match(wrong.body, /invalid subscription key/);

  const keys = JSON.parse((await cli('keys', '--json')).stdout).subscriptions;
  const client = keys.find((s: any) => s.name === 'client');
  assert.equal((await get(url, { 'Ocp-Apim-Subscription-Key': client.primaryKey })).status, 200);
  assert.equal((await get(`${url}&subscription-key=${client.secondaryKey}`)).status, 200, 'query key works');
  const rotated = await cli('keys', '--regenerate', 'primary', '--subscription', 'client', '--json');
  assert.equal(rotated.code, 0, rotated.stderr);
  const fresh = JSON.parse(rotated.stdout).subscriptions.find((s: any) => s.name === 'client');
  assert.notEqual(fresh.primaryKey, client.primaryKey);
  assert.equal((await get(url, { 'Ocp-Apim-Subscription-Key': client.primaryKey })).status, 401, 'old key refused');
  assert.equal((await get(url, { 'Ocp-Apim-Subscription-Key': fresh.primaryKey })).status, 200, 'new key works');
  const withKey = await cli('call', 'getter', '--message', 'rotated', '--key', 'client');
  assert.equal(withKey.code, 0, withKey.stderr);

  const direct = await get(`${summary.endpoints.functionAppUrl}/api/getter?message=x`);
  assert.equal(direct.status, 401, 'the function host refuses calls without its key');
});

test('the public docs need no key', async () => {
  const spec = await get(`${summary.endpoints.gatewayUrl}/public/openapi.json`);
  assert.equal(spec.status, 200);
  const doc = JSON.parse(spec.body);
  assert.ok(doc.paths['/getter'] && doc.paths['/poster']);
  assert.equal(doc.servers[0].url, summary.endpoints.apiUrl, '"Try it out" targets the protected API');
  const page = await get(`${summary.endpoints.docsUrl}`);
  assert.equal(page.status, 200);
  assert.match(page.body, /swagger-ui/i);
});
