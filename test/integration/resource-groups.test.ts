import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, fast, rawRequest, type LocalAzureHarness } from '../helpers/local-azure.ts';

let h: LocalAzureHarness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

test('resource groups: create, get, list, update tags, delete through the LRO', async () => {
  const created = await h.resources.resourceGroups.createOrUpdate('rg-one', { location: 'West Europe', tags: { app: 'x' } });
  assert.equal(created.location, 'westeurope');
  assert.equal(created.properties?.provisioningState, 'Succeeded');
  assert.equal((await h.resources.resourceGroups.get('RG-ONE')).name, 'rg-one');
  const names: string[] = [];
  for await (const g of h.resources.resourceGroups.list()) names.push(g.name!);
  assert.deepEqual(names, ['rg-one']);
  assert.equal((await h.resources.resourceGroups.checkExistence('rg-one')).body, true);
  await h.resources.resourceGroups.delete('rg-one', fast);
  assert.equal((await h.resources.resourceGroups.checkExistence('rg-one')).body, false);
});

test('resource groups: ARM errors reach the SDK as RestError with status and code', async () => {
  await assert.rejects(h.resources.resourceGroups.get('missing'), { name: 'RestError', statusCode: 404, code: 'ResourceGroupNotFound' });
  await assert.rejects(h.resources.resourceGroups.createOrUpdate('rg-x', { location: 'moon' }), { statusCode: 400, code: 'LocationNotAvailableForResourceGroup' });
  await assert.rejects(h.resources.resourceGroups.createOrUpdate('bad name!', { location: 'eastus' }), { statusCode: 400, code: 'InvalidResourceGroupName' });
});

test('the wire: auth, api-version, subscription and unknown types answer as ARM does', async () => {
  const rgPath = `/subscriptions/${h.sub}/resourcegroups/rg-wire`;
  const noAuth = await rawRequest(h.azure, 'GET', `${rgPath}?api-version=2025-04-01`, undefined, {});
  assert.equal(noAuth.status, 401);
  assert.equal(noAuth.body.error.code, 'AuthenticationFailed');
  const noVersion = await rawRequest(h.azure, 'GET', rgPath);
  assert.equal(noVersion.body.error.code, 'MissingApiVersionParameter');
  const badVersion = await rawRequest(h.azure, 'GET', `${rgPath}?api-version=2099-01-01`);
  assert.equal(badVersion.status, 400);
  assert.equal(badVersion.body.error.code, 'InvalidApiVersionParameter');
  const otherSub = await rawRequest(h.azure, 'GET', `/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/x?api-version=2025-04-01`);
  assert.equal(otherSub.body.error.code, 'SubscriptionNotFound');
  const unknownNs = await rawRequest(h.azure, 'GET', `${rgPath}/providers/Microsoft.Nope/things/a?api-version=2025-04-01`);
  assert.equal(unknownNs.body.error.code, 'InvalidResourceNamespace');
});

test('subscriptions: the local Azure lists exactly its own subscription', async () => {
  const { SubscriptionClient } = await import('@azure/arm-resources-subscriptions');
  const { testCredential, clientOptions } = await import('../helpers/local-azure.ts');
  const client = new SubscriptionClient(testCredential, clientOptions(h.azure));
  const subs = [];
  for await (const s of client.subscriptions.list()) subs.push(s);
  assert.deepEqual(subs.map((s) => s.subscriptionId), [h.sub]);
  assert.equal((await client.subscriptions.get(h.sub)).state, 'Enabled');
});
