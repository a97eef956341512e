import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, fast, rawRequest, type LocalAzureHarness } from '../helpers/local-azure.ts';
import { specsDir, checkRecordedPairs, formatIssues, type RecordedPair } from '../helpers/oav.ts';

const WS_V = 'api-version=2025-07-01';
const AI_V = 'api-version=2020-02-02';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let h: LocalAzureHarness;
const wsPath = (name: string) => `/subscriptions/${h.sub}/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/${name}`;
const aiPath = (name: string) => `/subscriptions/${h.sub}/resourceGroups/rg-mon/providers/Microsoft.Insights/components/${name}`;

before(async () => {
  h = await startHarness({ recordBodies: true });
  await h.resources.resourceGroups.createOrUpdate('rg-mon', { location: 'swedencentral' });
});
after(() => h.close());

test('workspaces: create through the LRO, read, list, delete', async () => {
  const ws = await h.logs.workspaces.beginCreateOrUpdateAndWait('rg-mon', 'log-one', { location: 'swedencentral', tags: { app: 'x' } }, fast);
  assert.equal(ws.provisioningState, 'Succeeded');
  assert.match(ws.customerId!, GUID);
  assert.equal(ws.sku?.name, 'PerGB2018', 'PerGB2018 when no sku is given');
  assert.ok(ws.sku?.lastSkuUpdate);
  assert.equal(ws.retentionInDays, 30);
  assert.equal(ws.publicNetworkAccessForIngestion, 'Enabled');
  assert.equal(ws.publicNetworkAccessForQuery, 'Enabled');
  assert.equal(ws.workspaceCapping?.dailyQuotaGb, -1);
  assert.ok(ws.createdDate instanceof Date && ws.modifiedDate instanceof Date);
  assert.equal(ws.type, 'Microsoft.OperationalInsights/workspaces');
  assert.equal(ws.id, wsPath('log-one').toLowerCase(), 'Log Analytics answers with a lowercased id');

  const updated = await h.logs.workspaces.beginCreateOrUpdateAndWait('rg-mon', 'log-one', { location: 'swedencentral', retentionInDays: 60 }, fast);
  assert.equal(updated.retentionInDays, 60);
  assert.equal(updated.customerId, ws.customerId, 'the customer id survives updates');

  const got = await h.logs.workspaces.get('rg-mon', 'log-one');
  assert.equal(got.name, 'log-one');
  const names: string[] = [];
  for await (const w of h.logs.workspaces.listByResourceGroup('rg-mon')) names.push(w.name!);
  assert.deepEqual(names, ['log-one']);
  const inSub: string[] = [];
  for await (const w of h.logs.workspaces.list()) inSub.push(w.name!);
  assert.deepEqual(inSub, ['log-one']);

  await h.logs.workspaces.beginDeleteAndWait('rg-mon', 'log-one', fast);
  await assert.rejects(h.logs.workspaces.get('rg-mon', 'log-one'), { name: 'RestError', statusCode: 404, code: 'ResourceNotFound' });
  assert.equal((await rawRequest(h.azure, 'DELETE', `${wsPath('log-one')}?${WS_V}`)).status, 204);
});

test('workspaces: the wire answers 201 for a new workspace, 200 for an update, and accepts the spec version', async () => {
  const created = await rawRequest(h.azure, 'PUT', `${wsPath('log-wire')}?${WS_V}`, { location: 'swedencentral' });
  assert.equal(created.status, 201);
  assert.equal(created.body.properties.provisioningState, 'Succeeded', 'latency none: done before the answer');
  const again = await rawRequest(h.azure, 'PUT', `${wsPath('log-wire')}?api-version=2025-02-01`, { location: 'swedencentral' });
  assert.equal(again.status, 200);
  const bad = await rawRequest(h.azure, 'PUT', `${wsPath('ab')}?${WS_V}`, { location: 'swedencentral' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'InvalidParameter');
  await assert.rejects(h.logs.workspaces.beginCreateOrUpdateAndWait('rg-mon', 'log_bad', { location: 'swedencentral' }, fast), { statusCode: 400, code: 'InvalidParameter' });
  await assert.rejects(h.logs.workspaces.beginCreateOrUpdateAndWait('rg-mon', 'log-wire', { location: 'eastus' }, fast), { statusCode: 409, code: 'InvalidResourceLocation' });
  const malformed = await rawRequest(h.azure, 'PUT', `${wsPath('log-malformed')}?${WS_V}`, { location: 'swedencentral', properties: { retentionInDays: 'thirty' } });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.error.code, 'InvalidRequestContent');
});

test('workspaces: with realistic latency create reports Creating, then Succeeded; delete is 202 + Location', async () => {
  const slow = await startHarness({ latency: 'realistic', timeScale: 0.03 }); // 10 s → 300 ms
  try {
    await slow.resources.resourceGroups.createOrUpdate('rg', { location: 'eastus' });
    const path = `/subscriptions/${slow.sub}/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log-slow?${WS_V}`;
    const put = await rawRequest(slow.azure, 'PUT', path, { location: 'eastus' });
    assert.equal(put.status, 201);
    assert.equal(put.body.properties.provisioningState, 'Creating');
    const ws = await slow.logs.workspaces.get('rg', 'log-slow');
    assert.equal(ws.provisioningState, 'Creating');
    await new Promise((r) => setTimeout(r, 350));
    assert.equal((await slow.logs.workspaces.get('rg', 'log-slow')).provisioningState, 'Succeeded');

    const del = await rawRequest(slow.azure, 'DELETE', path);
    assert.equal(del.status, 202);
    assert.match(del.headers.location, /\/providers\/Microsoft\.OperationalInsights\/locations\/eastus\/operationresults\/[0-9a-f-]{36}\?api-version=2025-07-01$/);
    assert.equal((await rawRequest(slow.azure, 'GET', del.headers.location)).status, 202);
    await new Promise((r) => setTimeout(r, 350));
    assert.equal((await rawRequest(slow.azure, 'GET', del.headers.location)).status, 200);
    assert.equal((await rawRequest(slow.azure, 'GET', path)).status, 404);

    // The SDK's poller follows provisioningState from GET until the workspace is provisioned.
    const polled = await slow.logs.workspaces.beginCreateOrUpdateAndWait('rg', 'log-polled', { location: 'eastus' }, fast);
    assert.equal(polled.provisioningState, 'Succeeded');
  } finally {
    await slow.close();
  }
});

test('workspaces: an lro-failed fault makes the create reject and leaves provisioningState Failed', async () => {
  await h.admin('POST', '/.local/faults', { method: 'PUT', path: '**/workspaces/log-failed', action: { type: 'lro-failed' } });
  await assert.rejects(h.logs.workspaces.beginCreateOrUpdateAndWait('rg-mon', 'log-failed', { location: 'swedencentral' }, fast));
  assert.equal((await h.logs.workspaces.get('rg-mon', 'log-failed')).provisioningState, 'Failed');
});

test('components: workspace-based create, read, list, tags, delete', async () => {
  const ws = await h.logs.workspaces.beginCreateOrUpdateAndWait('rg-mon', 'log-ai', { location: 'swedencentral' }, fast);
  const ai = await h.insights.components.createOrUpdate('rg-mon', 'appi-one', {
    location: 'swedencentral',
    kind: 'web',
    applicationType: 'web',
    workspaceResourceId: ws.id,
  });
  assert.equal(ai.provisioningState, 'Succeeded');
  assert.equal(ai.applicationId, 'appi-one');
  assert.match(ai.appId!, GUID);
  assert.match(ai.instrumentationKey!, GUID);
  assert.equal(
    ai.connectionString,
    `InstrumentationKey=${ai.instrumentationKey};IngestionEndpoint=https://swedencentral-0.in.applicationinsights.azure.com/;LiveEndpoint=https://swedencentral.livediagnostics.monitor.azure.com/;ApplicationId=${ai.appId}`,
  );
  assert.equal(ai.applicationType, 'web');
  assert.equal(ai.flowType, 'Bluefield');
  assert.equal(ai.requestSource, 'rest');
  assert.equal(ai.tenantId, h.sub);
  assert.equal(ai.retentionInDays, 90);
  assert.equal(ai.ingestionMode, 'LogAnalytics');
  assert.equal(ai.workspaceResourceId, ws.id);
  assert.equal(ai.publicNetworkAccessForIngestion, 'Enabled');
  assert.ok(ai.creationDate instanceof Date);

  const got = await h.insights.components.get('rg-mon', 'appi-one');
  assert.equal(got.connectionString, ai.connectionString, 'the connection string is returned on GET (it is not a secret)');
  const again = await h.insights.components.createOrUpdate('rg-mon', 'appi-one', { location: 'swedencentral', kind: 'web', applicationType: 'web', workspaceResourceId: ws.id });
  assert.equal(again.instrumentationKey, ai.instrumentationKey, 'keys survive a re-PUT');
  const raw = await rawRequest(h.azure, 'PUT', `${aiPath('appi-one')}?${AI_V}`, { location: 'swedencentral', kind: 'web', properties: { Application_Type: 'web', WorkspaceResourceId: ws.id } });
  assert.equal(raw.status, 200);

  const names: string[] = [];
  for await (const c of h.insights.components.listByResourceGroup('rg-mon')) names.push(c.name!);
  assert.deepEqual(names, ['appi-one']);
  const tagged = await h.insights.components.updateTags('rg-mon', 'appi-one', { tags: { env: 'dev' } });
  assert.deepEqual(tagged.tags, { env: 'dev' });
  assert.equal(tagged.connectionString, ai.connectionString);

  await h.insights.components.delete('rg-mon', 'appi-one');
  await assert.rejects(h.insights.components.get('rg-mon', 'appi-one'), { statusCode: 404, code: 'ResourceNotFound' });
  assert.equal((await rawRequest(h.azure, 'DELETE', `${aiPath('appi-one')}?${AI_V}`)).status, 204);
});

test('components: classic (no workspace) and unknown workspaces are refused as Azure refuses them', async () => {
  await assert.rejects(h.insights.components.createOrUpdate('rg-mon', 'appi-classic', { location: 'swedencentral', kind: 'web', applicationType: 'web' }), {
    name: 'RestError',
    statusCode: 400,
    code: 'BadRequest',
    message: "Region doesn't support Classic resource mode for Application Insights resources. Please use Workspace-based mode.",
  });
  await assert.rejects(
    h.insights.components.createOrUpdate('rg-mon', 'appi-nows', {
      location: 'swedencentral',
      kind: 'web',
      applicationType: 'web',
      workspaceResourceId: `/subscriptions/${h.sub}/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/missing`,
    }),
    { statusCode: 400, code: 'BadRequest', message: 'Provided WorkspaceResourceId is invalid' },
  );
  const noKind = await rawRequest(h.azure, 'PUT', `${aiPath('appi-nokind')}?${AI_V}`, { location: 'swedencentral', properties: { Application_Type: 'web' } });
  assert.equal(noKind.status, 400);
  assert.equal(noKind.body.error.code, 'InvalidRequestContent');
  const oldVersion = await rawRequest(h.azure, 'GET', `${aiPath('appi-one')}?api-version=2015-05-01`);
  assert.equal(oldVersion.status, 400);
  assert.equal(oldVersion.body.error.code, 'NoRegisteredProviderFound');
});

test('conformance: every response above matches the spec, every malformed request was refused', { skip: specsDir() ? false : 'azure-specs not found' }, async () => {
  const log = await h.admin('GET', '/.local/log?bodies=1');
  // The SDK sends 2025-07-01, whose Workspaces spec is not vendored; its workspace contract is checked against 2025-02-01.
  const pairs = (log.body.requests as RecordedPair[]).map((p) =>
    p.request ? { ...p, request: { ...p.request, url: p.request.url.replace('api-version=2025-07-01', 'api-version=2025-02-01') } } : p,
  );
  const report = await checkRecordedPairs(pairs);
  const issues = report.issues.map((i) => ({ ...i, errors: i.errors.filter((e) => !(e.in === 'request' && i.status === 400)) })).filter((i) => i.errors.length);
  assert.deepEqual(issues, [], formatIssues(issues));
  const ops = new Set(report.validated.map((v) => v.operationId));
  for (const op of ['Workspaces_CreateOrUpdate', 'Workspaces_Get', 'Workspaces_ListByResourceGroup', 'Workspaces_List', 'Workspaces_Delete', 'Components_CreateOrUpdate', 'Components_Get', 'Components_ListByResourceGroup', 'Components_UpdateTags', 'Components_Delete']) {
    assert.ok(ops.has(op), `${op} was validated`);
  }
});
