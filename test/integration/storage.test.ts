import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, fast, rawRequest, type LocalAzureHarness } from '../helpers/local-azure.ts';
import { validateRequestBody } from '../../src/local/arm/spec/validate.ts';
import { specsDir, checkRecordedPairs, formatIssues, type ConformanceIssue } from '../helpers/oav.ts';

const V = 'api-version=2026-09-01';
let h: LocalAzureHarness;
let rgPath: string;
const accountPath = (name: string, rg = 'rg-st') => `/subscriptions/${h.sub}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${name}`;
const params = (extra: Record<string, unknown> = {}) => ({ sku: { name: 'Standard_LRS' }, kind: 'StorageV2', location: 'westeurope', ...extra }) as any;

before(async () => {
  h = await startHarness({ recordBodies: true });
  await h.resources.resourceGroups.createOrUpdate('rg-st', { location: 'westeurope' });
  await h.resources.resourceGroups.createOrUpdate('rg-other', { location: 'westeurope' });
  rgPath = `/subscriptions/${h.sub}/resourceGroups/rg-st`;
});
after(() => h.close());

test('storage accounts: create through the LRO, read, list, update, delete', async () => {
  const created = await h.storage.storageAccounts.beginCreateAndWait('rg-st', 'stlifecycle1', params({ tags: { app: 'x' }, allowSharedKeyAccess: false }), fast);
  assert.equal(created.provisioningState, 'Succeeded');
  assert.deepEqual(created.sku, { name: 'Standard_LRS', tier: 'Standard' });
  assert.equal(created.kind, 'StorageV2');
  assert.equal(created.location, 'westeurope');
  assert.deepEqual(created.tags, { app: 'x' });
  // Blob is served by the local Azure's Azurite, path-style on loopback.
  assert.match(created.primaryEndpoints?.blob ?? '', /^https:\/\/127\.0\.0\.1:\d+\/stlifecycle1\/$/);
  assert.equal(created.primaryEndpoints?.dfs, 'https://stlifecycle1.dfs.core.windows.net/');
  assert.equal(created.primaryLocation, 'westeurope');
  assert.equal(created.statusOfPrimary, 'available');
  assert.equal(created.enableHttpsTrafficOnly, true);
  assert.equal(created.minimumTlsVersion, 'TLS1_2');
  assert.equal(created.allowBlobPublicAccess, false);
  assert.equal(created.allowSharedKeyAccess, false, 'a setting the caller gave is kept');
  assert.equal(created.accessTier, 'Hot');
  assert.equal(created.encryption?.keySource, 'Microsoft.Storage');
  assert.equal(created.encryption?.services?.blob?.enabled, true);
  assert.equal(created.networkRuleSet?.defaultAction, 'Allow');
  assert.equal(created.networkRuleSet?.bypass, 'AzureServices');
  assert.ok(created.creationTime instanceof Date);

  const got = await h.storage.storageAccounts.getProperties('rg-st', 'stlifecycle1');
  assert.equal(got.id, `${rgPath}/providers/Microsoft.Storage/storageAccounts/stlifecycle1`);
  const inRg: string[] = [];
  for await (const a of h.storage.storageAccounts.listByResourceGroup('rg-st')) inRg.push(a.name!);
  assert.ok(inRg.includes('stlifecycle1'));
  const inSub: string[] = [];
  for await (const a of h.storage.storageAccounts.list()) inSub.push(a.name!);
  assert.ok(inSub.includes('stlifecycle1'));

  // A create on an existing, provisioned account is a synchronous update: 200 with the body.
  const again = await rawRequest(h.azure, 'PUT', `${accountPath('stlifecycle1')}?${V}`, params({ sku: { name: 'Standard_GRS' }, properties: { minimumTlsVersion: 'TLS1_2' } }));
  assert.equal(again.status, 200);
  assert.equal(again.body.sku.name, 'Standard_GRS');
  assert.equal(again.body.properties.secondaryLocation, 'northeurope');
  assert.equal(again.body.properties.allowSharedKeyAccess, false, 'settings the update leaves out keep their values');
  assert.deepEqual(again.body.tags, { app: 'x' });

  const patched = await h.storage.storageAccounts.update('rg-st', 'stlifecycle1', { tags: { app: 'y' }, allowBlobPublicAccess: true });
  assert.deepEqual(patched.tags, { app: 'y' });
  assert.equal(patched.allowBlobPublicAccess, true);

  const del = await rawRequest(h.azure, 'DELETE', `${accountPath('stlifecycle1')}?${V}`);
  assert.equal(del.status, 200);
  assert.equal((await rawRequest(h.azure, 'DELETE', `${accountPath('stlifecycle1')}?${V}`)).status, 204);
  await h.storage.storageAccounts.delete('rg-st', 'stlifecycle1');
  await assert.rejects(h.storage.storageAccounts.getProperties('rg-st', 'stlifecycle1'), { name: 'RestError', statusCode: 404, code: 'ResourceNotFound' });
});

test('storage accounts: the create LRO on the wire is 202, empty body, Location on asyncoperations, then 200', async () => {
  const put = await rawRequest(h.azure, 'PUT', `${accountPath('stwire1')}?${V}`, params());
  assert.equal(put.status, 202);
  assert.equal(put.body, undefined);
  assert.equal(put.headers['retry-after'], undefined, 'no Retry-After in latency none');
  const location = put.headers.location;
  assert.match(location, new RegExp(`^${h.azure.endpoint}/subscriptions/${h.sub}/providers/Microsoft\\.Storage/locations/westeurope/asyncoperations/[0-9a-f-]{36}\\?monitor=true&api-version=2026-09-01$`));
  const poll = await rawRequest(h.azure, 'GET', location);
  assert.equal(poll.status, 200);
  assert.equal(poll.body.name, 'stwire1');
  assert.equal(poll.body.properties.provisioningState, 'Succeeded');
});

test('storage accounts: with realistic latency the create polls 202 with Retry-After until it is done', async () => {
  const slow = await startHarness({ latency: 'realistic', timeScale: 0.03 }); // 20 s create → 600 ms; Retry-After 17 s → 1 s
  try {
    await slow.resources.resourceGroups.createOrUpdate('rg', { location: 'eastus' });
    const path = `/subscriptions/${slow.sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stslow1?${V}`;
    const put = await rawRequest(slow.azure, 'PUT', path, params({ location: 'eastus' }));
    assert.equal(put.status, 202);
    assert.equal(put.headers['retry-after'], '1');
    const running = await rawRequest(slow.azure, 'GET', put.headers.location);
    assert.equal(running.status, 202);
    assert.equal(running.body, undefined);
    assert.equal(running.headers['retry-after'], '1');
    assert.equal((await rawRequest(slow.azure, 'GET', path)).body.properties.provisioningState, 'Creating');
    const again = await rawRequest(slow.azure, 'PUT', path, params({ location: 'eastus' }));
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'AnotherOperationInProgress');
    await new Promise((r) => setTimeout(r, 700));
    const done = await rawRequest(slow.azure, 'GET', put.headers.location);
    assert.equal(done.status, 200);
    assert.equal(done.body.properties.provisioningState, 'Succeeded');
  } finally {
    await slow.close();
  }
});

test('storage accounts: checkNameAvailability answers both reasons with the real messages', async () => {
  await h.storage.storageAccounts.beginCreateAndWait('rg-st', 'sttaken1', params(), fast);
  assert.equal((await h.storage.storageAccounts.checkNameAvailability({ name: 'stfree1', type: 'Microsoft.Storage/storageAccounts' })).nameAvailable, true);
  const invalid = await h.storage.storageAccounts.checkNameAvailability({ name: 'Bad_Name', type: 'Microsoft.Storage/storageAccounts' });
  assert.equal(invalid.nameAvailable, false);
  assert.equal(invalid.reason, 'AccountNameInvalid');
  assert.equal(invalid.message, 'Bad_Name is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.');
  const taken = await h.storage.storageAccounts.checkNameAvailability({ name: 'sttaken1', type: 'Microsoft.Storage/storageAccounts' });
  assert.equal(taken.nameAvailable, false);
  assert.equal(taken.reason, 'AlreadyExists');
  assert.equal(taken.message, 'The storage account named sttaken1 is already taken.');
  const elsewhere = await h.storage.storageAccounts.checkNameAvailability({ name: 'mystorageaccount', type: 'Microsoft.Storage/storageAccounts' });
  assert.equal(elsewhere.reason, 'AlreadyExists');
});

test('storage accounts: listKeys returns two keys, GET never does, regenerateKey rotates one', async () => {
  await h.storage.storageAccounts.beginCreateAndWait('rg-st', 'stkeys1', params(), fast);
  const { keys } = await h.storage.storageAccounts.listKeys('rg-st', 'stkeys1');
  assert.equal(keys?.length, 2);
  assert.deepEqual(keys!.map((k) => k.keyName), ['key1', 'key2']);
  for (const k of keys!) {
    assert.equal(Buffer.from(k.value!, 'base64').length, 64);
    assert.equal(k.permissions, 'FULL');
  }
  const raw = await rawRequest(h.azure, 'GET', `${accountPath('stkeys1')}?${V}`);
  const list = await rawRequest(h.azure, 'GET', `${rgPath}/providers/Microsoft.Storage/storageAccounts?${V}`);
  for (const k of keys!) {
    assert.ok(!JSON.stringify(raw.body).includes(k.value!), 'GET must not return keys');
    assert.ok(!JSON.stringify(list.body).includes(k.value!), 'list must not return keys');
  }
  const rotated = await h.storage.storageAccounts.regenerateKey('rg-st', 'stkeys1', { keyName: 'key1' });
  assert.notEqual(rotated.keys![0].value, keys![0].value);
  assert.equal(rotated.keys![1].value, keys![1].value);
  assert.equal((await h.storage.storageAccounts.listKeys('rg-st', 'stkeys1')).keys![0].value, rotated.keys![0].value);
  await assert.rejects(h.storage.storageAccounts.regenerateKey('rg-st', 'stkeys1', { keyName: 'key9' }), { statusCode: 400, code: 'InvalidValuesForRequestParameters' });
});

test('storage accounts: name rules and global names fail as the storage RP fails them', async () => {
  await assert.rejects(h.storage.storageAccounts.beginCreateAndWait('rg-st', 'Bad-Name', params(), fast), {
    name: 'RestError',
    statusCode: 400,
    code: 'AccountNameInvalid',
  });
  await assert.rejects(h.storage.storageAccounts.beginCreateAndWait('rg-st', 'mystorageaccount', params(), fast), {
    name: 'RestError',
    statusCode: 409,
    code: 'StorageAccountAlreadyTaken',
    message: 'The storage account named mystorageaccount is already taken.',
  });
  await h.storage.storageAccounts.beginCreateAndWait('rg-st', 'stglobal1', params(), fast);
  await assert.rejects(h.storage.storageAccounts.beginCreateAndWait('rg-other', 'stglobal1', params(), fast), {
    statusCode: 409,
    code: 'StorageAccountInAnotherResourceGroup',
  });
  await assert.rejects(h.storage.storageAccounts.beginCreateAndWait('rg-st', 'stglobal1', params({ location: 'eastus' }), fast), {
    statusCode: 409,
    code: 'InvalidResourceLocation',
  });
  await assert.rejects(h.storage.storageAccounts.beginCreateAndWait('rg-st', 'stmoon1', params({ location: 'moon' }), fast), {
    statusCode: 400,
    code: 'LocationNotAvailableForResourceType',
  });
  await assert.rejects(h.storage.storageAccounts.beginCreateAndWait('rg-missing', 'stnorg1', params(), fast), { statusCode: 404, code: 'ResourceGroupNotFound' });
});

test('storage accounts: a malformed body is rejected before anything is created', async () => {
  const res = await rawRequest(h.azure, 'PUT', `${accountPath('stbadbody1')}?${V}`, { sku: { name: 42 }, kind: 'StorageV2', location: 'westeurope' });
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'InvalidRequestContent');
  assert.equal((await rawRequest(h.azure, 'GET', `${accountPath('stbadbody1')}?${V}`)).status, 404);
});

const validatorLive = validateRequestBody('StorageAccounts_Create', { sku: { name: 42 } }).length > 0;
test('storage accounts: the spec validator rejects a wrongly typed property', { todo: validatorLive ? false : 'src/local/arm/spec/validate.ts is still the placeholder' }, async () => {
  const res = await rawRequest(h.azure, 'PUT', `${accountPath('stbadtype1')}?${V}`, params({ properties: { supportsHttpsTrafficOnly: 'yes' } }));
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'InvalidRequestContent');
});

test('storage accounts: an lro-failed fault makes the create reject and leaves provisioningState Failed', async () => {
  const rule = await h.admin('POST', '/.local/faults', { method: 'PUT', path: '**/storageAccounts/*', action: { type: 'lro-failed' } });
  assert.ok(rule.status < 300, JSON.stringify(rule.body));
  await assert.rejects(h.storage.storageAccounts.beginCreateAndWait('rg-st', 'stfailed1', params(), fast));
  const got = await h.storage.storageAccounts.getProperties('rg-st', 'stfailed1');
  assert.equal(got.provisioningState, 'Failed');
  // A new create on the failed account provisions again.
  const retried = await h.storage.storageAccounts.beginCreateAndWait('rg-st', 'stfailed1', params(), fast);
  assert.equal(retried.provisioningState, 'Succeeded');
});

test('storage accounts: the blob endpoint follows extra.blobEndpointTemplate', async () => {
  await h.storage.storageAccounts.beginCreateAndWait('rg-st', 'stblobep1', params(), fast);
  h.azure.env.store.doc.extra.blobEndpointTemplate = 'https://127.0.0.1:10000/{account}/';
  try {
    const got = await h.storage.storageAccounts.getProperties('rg-st', 'stblobep1');
    assert.equal(got.primaryEndpoints?.blob, 'https://127.0.0.1:10000/stblobep1/');
  } finally {
    delete h.azure.env.store.doc.extra.blobEndpointTemplate;
  }
});

test('blob containers: create, read, list, delete, and the storage RP errors', async () => {
  await h.storage.storageAccounts.beginCreateAndWait('rg-st', 'stcontainers1', params(), fast);
  const created = await h.storage.blobContainers.create('rg-st', 'stcontainers1', 'deployments', {});
  assert.equal(created.name, 'deployments');
  assert.equal(created.type, 'Microsoft.Storage/storageAccounts/blobServices/containers');
  assert.equal(created.publicAccess, 'None');
  const cPath = `${accountPath('stcontainers1')}/blobServices/default/containers`;
  assert.equal((await rawRequest(h.azure, 'PUT', `${cPath}/deployments?${V}`, {})).status, 200, 'existing container: 200');
  assert.equal((await rawRequest(h.azure, 'PUT', `${cPath}/second?${V}`, { properties: { metadata: { a: 'b' } } })).status, 201, 'new container: 201');

  assert.equal((await h.storage.blobContainers.get('rg-st', 'stcontainers1', 'deployments')).leaseState, 'Available');
  const names: string[] = [];
  for await (const c of h.storage.blobContainers.list('rg-st', 'stcontainers1')) names.push(c.name!);
  assert.deepEqual(names.sort(), ['deployments', 'second']);
  const service = await h.storage.blobServices.getServiceProperties('rg-st', 'stcontainers1');
  assert.equal(service.name, 'default');

  await assert.rejects(h.storage.blobContainers.create('rg-st', 'stcontainers1', 'Bad--Name', {}), { statusCode: 400, code: 'ContainerOperationFailure' });
  await assert.rejects(h.storage.blobContainers.create('rg-st', 'stcontainers1', 'ab', {}), {
    statusCode: 400,
    code: 'ContainerOperationFailure',
    message: 'The specified resource name length is not within the permissible limits.',
  });
  await assert.rejects(h.storage.blobContainers.create('rg-st', 'stcontainers1', 'public', { publicAccess: 'Blob' }), { statusCode: 409, code: 'PublicAccessNotPermitted' });
  await assert.rejects(h.storage.blobContainers.get('rg-st', 'stcontainers1', 'missing'), { statusCode: 404, code: 'ContainerNotFound' });
  await assert.rejects(h.storage.blobContainers.get('rg-st', 'stnoaccount1', 'deployments'), { statusCode: 404, code: 'ParentResourceNotFound' });

  await h.storage.storageAccounts.update('rg-st', 'stcontainers1', { allowBlobPublicAccess: true });
  assert.equal((await h.storage.blobContainers.create('rg-st', 'stcontainers1', 'public', { publicAccess: 'Blob' })).publicAccess, 'Blob');

  assert.equal((await rawRequest(h.azure, 'DELETE', `${cPath}/second?${V}`)).status, 200);
  assert.equal((await rawRequest(h.azure, 'DELETE', `${cPath}/second?${V}`)).status, 204);
  await h.storage.blobContainers.delete('rg-st', 'stcontainers1', 'deployments');
  await h.storage.storageAccounts.delete('rg-st', 'stcontainers1');
  assert.equal(h.azure.env.store.descendants(accountPath('stcontainers1')).length, 0, 'the account takes its blob service and containers with it');
});

test('conformance: every storage response above matches the spec, every malformed request was refused', { skip: specsDir() ? false : 'azure-specs not found' }, async () => {
  const log = await h.admin('GET', '/.local/log?bodies=1');
  const report = await checkRecordedPairs(log.body.requests);
  // Known, deliberate differences from the spec:
  // - real Azure sends permissions "FULL" while the spec's closed enum says "Full" (raw wire output in az CLI shows FULL);
  // - provisioningState 'Failed' after an lro-failed fault is the core LRO engine's state; the storage enum has no Failed;
  // - the kit's spec-validation error (400 InvalidRequestContent) carries target/details, which the storage error
  //   contract lacks (core resource-kit bodyInvalid, shared by every provider).
  const known = (i: ConformanceIssue, e: ConformanceIssue['errors'][number]) =>
    (e.code === 'ENUM_CASE_MISMATCH' && /FULL/.test(e.message)) ||
    (e.code === 'ENUM_MISMATCH' && e.path === '/properties/provisioningState' && /Failed/.test(e.message)) ||
    (e.code === 'OBJECT_ADDITIONAL_PROPERTIES' && /^\/error\/(target|details)$/.test(e.path) && i.status === 400) ||
    (e.in === 'request' && i.status === 400); // malformed on purpose, and refused
  const real = (i: ConformanceIssue) => ({ ...i, errors: i.errors.filter((e) => !known(i, e)) });
  const issues = report.issues.map(real).filter((i) => i.errors.length);
  assert.deepEqual(issues, [], formatIssues(issues));
  const ops = new Set(report.validated.map((v) => v.operationId));
  for (const op of ['StorageAccounts_Create', 'StorageAccounts_GetProperties', 'StorageAccounts_ListByResourceGroup', 'StorageAccounts_List', 'StorageAccounts_Update', 'StorageAccounts_Delete', 'StorageAccounts_CheckNameAvailability', 'StorageAccounts_ListKeys', 'StorageAccounts_RegenerateKey', 'BlobContainers_Create', 'BlobContainers_Get', 'BlobContainers_List', 'BlobContainers_Delete', 'BlobServices_GetServiceProperties']) {
    assert.ok(ops.has(op), `${op} was validated`);
  }
});
