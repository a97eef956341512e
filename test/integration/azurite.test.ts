// The blob data plane: storage accounts point primaryEndpoints.blob at Azurite (HTTPS, local CA), the keys
// listKeys returns work there at once, containers created through ARM exist there, deleted ones go away.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { startHarness, fast, type LocalAzureHarness } from '../helpers/local-azure.ts';

let h: LocalAzureHarness;
const rg = 'rg-azurite';

before(async () => {
  h = await startHarness();
  await h.resources.resourceGroups.createOrUpdate(rg, { location: 'eastus' });
});
after(() => h.close());

async function account(name: string) {
  await h.storage.storageAccounts.beginCreateAndWait(rg, name, { location: 'eastus', sku: { name: 'Standard_LRS' }, kind: 'StorageV2' }, fast);
  const got = await h.storage.storageAccounts.getProperties(rg, name);
  const keys = (await h.storage.storageAccounts.listKeys(rg, name)).keys!;
  return { endpoint: got.primaryEndpoints!.blob!, keys: keys.map((k) => k.value!) };
}

const client = (endpoint: string, name: string, key: string) =>
  new BlobServiceClient(endpoint, new StorageSharedKeyCredential(name, key), { tlsOptions: { ca: h.azure.caCertPem }, retryOptions: { maxTries: 1 } } as any);

test('accounts report Azurite as their blob endpoint and their listKeys keys work there', async () => {
  const { endpoint, keys } = await account('azuriteone');
  assert.match(endpoint, /^https:\/\/127\.0\.0\.1:\d+\/azuriteone\/$/);
  for (const key of keys) {
    const svc = client(endpoint, 'azuriteone', key);
    const c = svc.getContainerClient(`box${keys.indexOf(key)}`);
    await c.create();
    await c.getBlockBlobClient('hello.txt').upload('hi', 2);
    assert.equal((await c.getBlockBlobClient('hello.txt').downloadToBuffer()).toString(), 'hi');
  }
  // A key that is not the account's is refused, as storage does (403 AuthorizationFailure).
  const wrong = client(endpoint, 'azuriteone', Buffer.alloc(64, 1).toString('base64'));
  await assert.rejects(wrong.getContainerClient("box0").getProperties(), (e: any) => e.statusCode === 403);
});

test('a regenerated key works at once and the old one stops working', async () => {
  const { endpoint, keys } = await account('azuritetwo');
  const regenerated = await h.storage.storageAccounts.regenerateKey(rg, 'azuritetwo', { keyName: 'key1' });
  const fresh = regenerated.keys!.find((k) => k.keyName === 'key1')!.value!;
  await client(endpoint, 'azuritetwo', fresh).getContainerClient('after').create();
  await assert.rejects(client(endpoint, 'azuritetwo', keys[0]).getContainerClient('after').getProperties(), (e: any) => e.statusCode === 403);
});

test('containers created and deleted through ARM are created and deleted in Azurite', async () => {
  const { endpoint, keys } = await account('azuritethree');
  await h.storage.blobContainers.create(rg, 'azuritethree', 'deployments', {});
  const svc = client(endpoint, 'azuritethree', keys[0]);
  const names = async () => {
    const out: string[] = [];
    for await (const c of svc.listContainers()) out.push(c.name);
    return out;
  };
  assert.deepEqual(await names(), ['deployments']);
  await h.storage.blobContainers.delete(rg, 'azuritethree', 'deployments');
  // The container delete is mirrored right after the ARM response; allow the reconcile a moment.
  for (let i = 0; i < 50 && (await names()).length; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(await names(), []);
});
