// Every fault rule type fires as specified, seen through the real SDK clients and the request log.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceManagementClient } from '@azure/arm-resources';
import { startHarness, fast, testCredential, clientOptions, type LocalAzureHarness } from '../helpers/local-azure.ts';

let h: LocalAzureHarness;
before(async () => {
  h = await startHarness();
  await h.resources.resourceGroups.createOrUpdate('rg-f', { location: 'eastus' });
});
after(() => h.close());
beforeEach(() => h.admin('DELETE', '/.local/faults'));

const noRetry = () => new ResourceManagementClient(testCredential, h.sub, { ...clientOptions(h.azure), retryOptions: { maxRetries: 0 } });
const addFault = async (rule: unknown) => assert.equal((await h.admin('POST', '/.local/faults', rule)).status, 201);
const logSince = async (seq: number) => (await h.admin('GET', `/.local/log?since=${seq}`)).body.requests as any[];
const lastSeq = async () => (await h.admin('GET', '/.local/log')).body.lastSeq as number;

test('429 with Retry-After: the SDK waits and retries, then succeeds', async () => {
  await addFault({ method: 'GET', path: '**/resourcegroups/rg-f', action: { type: 'status', status: 429, retryAfter: 1 }, count: 1 });
  const seq = await lastSeq();
  const t = Date.now();
  assert.equal((await h.resources.resourceGroups.get('rg-f')).name, 'rg-f');
  assert.ok(Date.now() - t >= 900, 'Retry-After honoured');
  const statuses = (await logSince(seq)).map((r) => r.status);
  assert.deepEqual(statuses, [429, 200]);
});

test('500 and 503 reach a client without retries as RestError with ARM codes', async () => {
  await addFault({ path: '**/resourcegroups/rg-f', action: { type: 'status', status: 500 }, count: 1 });
  await assert.rejects(noRetry().resourceGroups.get('rg-f'), { statusCode: 500, code: 'InternalServerError' });
  await addFault({ path: '**/resourcegroups/rg-f', action: { type: 'status', status: 503, retryAfter: 0 }, count: 1 });
  await assert.rejects(noRetry().resourceGroups.get('rg-f'), { statusCode: 503, code: 'ServiceUnavailable' });
  assert.equal((await noRetry().resourceGroups.get('rg-f')).name, 'rg-f', 'spent after one match');
});

test('a dropped connection is retried by the default SDK policy', async () => {
  await addFault({ method: 'GET', path: '**/resourcegroups/rg-f', action: { type: 'drop' }, count: 2 });
  const seq = await lastSeq();
  assert.equal((await h.resources.resourceGroups.get('rg-f')).name, 'rg-f');
  assert.deepEqual((await logSince(seq)).map((r) => r.fault ?? r.status), ['drop', 'drop', 200]);
  await addFault({ method: 'GET', path: '**/resourcegroups/rg-f', action: { type: 'drop' }, count: 1 });
  await assert.rejects(noRetry().resourceGroups.get('rg-f'), (e: any) => /socket|ECONNRESET|closed/i.test(e.message) || e.code === 'ECONNRESET');
});

test('latency is added to matching requests only', async () => {
  await addFault({ method: 'GET', path: '**/resourcegroups/rg-f', action: { type: 'latency', ms: 300 }, count: 1 });
  const t = Date.now();
  await h.resources.resourceGroups.get('rg-f');
  assert.ok(Date.now() - t >= 290);
  const t2 = Date.now();
  await h.resources.resourceGroups.get('rg-f');
  assert.ok(Date.now() - t2 < 250);
});

test('lro-failed: the resource group delete ends Failed and the group stays', async () => {
  await h.resources.resourceGroups.createOrUpdate('rg-lro', { location: 'eastus' });
  await addFault({ method: 'DELETE', path: '**/resourcegroups/rg-lro', action: { type: 'lro-failed', code: 'ResourceGroupDeletionBlocked', message: 'blocked' } });
  await assert.rejects(h.resources.resourceGroups.delete('rg-lro', fast));
  assert.equal((await h.resources.resourceGroups.get('rg-lro')).name, 'rg-lro');
});

test('fraction rules fire for part of the matches', async () => {
  await addFault({ method: 'GET', path: '**/resourcegroups/rg-f', action: { type: 'status', status: 500 }, fraction: 0.5 });
  let failures = 0;
  for (let i = 0; i < 40; i++) await noRetry().resourceGroups.get('rg-f').catch(() => failures++);
  assert.ok(failures > 5 && failures < 35, `about half failed: ${failures}`);
});

test('throttling: the subscription write bucket empties into ARM 429 SubscriptionRequestsThrottled', async () => {
  const client = noRetry();
  let throttled: any;
  for (let i = 0; i < 260 && !throttled; i++) {
    await client.resourceGroups.createOrUpdate('rg-f', { location: 'eastus' }).catch((e) => (throttled = e));
  }
  assert.equal(throttled?.statusCode, 429);
  assert.equal(throttled?.code, 'SubscriptionRequestsThrottled');
});
