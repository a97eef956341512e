import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { startHarness, fast, rawRequest, type LocalAzureHarness } from '../helpers/local-azure.ts';
import { registerFunctions } from '../../src/local/arm/providers/web.ts';

let h: LocalAzureHarness;
const rg = 'rg-web';
const V = 'api-version=2025-05-01';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const web = () => `/subscriptions/${h.sub}/resourceGroups/${rg}/providers/Microsoft.Web`;
const planId = (name: string) => `${web()}/serverfarms/${name}`;

const flexSite = (name: string, extra: Record<string, any> = {}) => ({
  location: 'westeurope',
  kind: 'functionapp,linux',
  identity: { type: 'SystemAssigned' as const },
  serverFarmId: planId('plan-flex'),
  httpsOnly: true,
  siteConfig: { appSettings: [{ name: 'AzureWebJobsStorage__accountName', value: 'stlocal' }], minTlsVersion: '1.2' as const },
  functionAppConfig: {
    deployment: {
      storage: { type: 'blobContainer' as const, value: 'https://stlocal.blob.core.windows.net/app-package', authentication: { type: 'SystemAssignedIdentity' as const } },
    },
    runtime: { name: 'node' as const, version: '22' },
  },
  ...extra,
});

/** An HTTPS GET to a data-plane host the control plane handed out, trusting the local Azure's CA. */
function getHost(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get(`https://${host}/`, { ca: h.azure.caCertPem }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

before(async () => {
  h = await startHarness();
  await h.resources.resourceGroups.createOrUpdate(rg, { location: 'westeurope' });
  await h.resources.resourceGroups.createOrUpdate('rg-other', { location: 'westeurope' });
});
after(() => h.close());

test('plans: Y1 and FC1 answer a synchronous 200 with the full plan; list by resource group', async () => {
  const y1 = await h.web.appServicePlans.beginCreateOrUpdateAndWait(
    rg,
    'plan-y1',
    { location: 'westeurope', kind: 'functionapp', reserved: true, sku: { name: 'Y1', tier: 'Dynamic' } },
    fast,
  );
  assert.deepEqual(y1.sku, { name: 'Y1', tier: 'Dynamic', size: 'Y1', family: 'Y', capacity: 0, skuCapacity: undefined, locations: undefined, capabilities: undefined });
  assert.equal(y1.status, 'Ready');
  assert.equal(y1.reserved, true);
  assert.equal(y1.provisioningState, 'Succeeded');
  assert.equal(y1.location, 'West Europe');

  const wire = await rawRequest(h.azure, 'PUT', `${planId('plan-flex')}?${V}`, {
    location: 'westeurope',
    kind: 'functionapp',
    sku: { name: 'FC1', tier: 'FlexConsumption' },
    properties: { reserved: true },
  });
  assert.equal(wire.status, 200);
  assert.equal(wire.body.properties.provisioningState, 'Succeeded');
  assert.equal(wire.body.properties.computeMode, 'Dynamic');
  assert.equal(wire.body.properties.numberOfSites, 0);
  assert.equal(wire.body.sku.tier, 'FlexConsumption');
  assert.equal(wire.headers['azure-asyncoperation'], undefined);

  const names: string[] = [];
  for await (const p of h.web.appServicePlans.listByResourceGroup(rg)) names.push(p.name!);
  assert.deepEqual(names.sort(), ['plan-flex', 'plan-y1']);
});

test('plans: Flex in a region without it, and a bad name, get App Service errors', async () => {
  const flexWestUs = await rawRequest(h.azure, 'PUT', `${planId('plan-wus')}?${V}`, { location: 'westus', sku: { name: 'FC1', tier: 'FlexConsumption' } });
  assert.equal(flexWestUs.status, 400);
  assert.equal(flexWestUs.body.Code, 'BadRequest');
  assert.equal(flexWestUs.body.Message, 'Requested features are not supported in region. Please try another region.');
  await assert.rejects(
    h.web.appServicePlans.beginCreateOrUpdateAndWait(rg, 'plan-wus', { location: 'westus', sku: { name: 'FC1', tier: 'FlexConsumption' } }, fast),
    { name: 'RestError', statusCode: 400 },
  );
  const badName = await rawRequest(h.azure, 'PUT', `${planId('plan.dots')}?${V}`, { location: 'westeurope', sku: { name: 'Y1' } });
  assert.equal(badName.status, 400);
  await assert.rejects(h.web.appServicePlans.get(rg, 'nope'), { statusCode: 404, code: 'ResourceNotFound' });
});

test('Flex site: long-running create, loopback hosts that answer HTTPS, functionAppConfig defaults, no settings on GET', async () => {
  const site = await h.web.webApps.beginCreateOrUpdateAndWait(rg, 'func-flex', flexSite('func-flex'), fast);
  assert.match(site.defaultHostName!, /^127\.0\.0\.1:\d+$/);
  const scm = site.enabledHostNames!.find((n) => n !== site.defaultHostName)!;
  assert.match(scm, /^127\.0\.0\.1:\d+$/);
  assert.deepEqual(
    site.hostNameSslStates!.map((s) => [s.name, s.hostType, s.sslState]),
    [
      [site.defaultHostName, 'Standard', 'Disabled'],
      [scm, 'Repository', 'Disabled'],
    ],
  );
  assert.equal(site.sku, 'FlexConsumption');
  assert.equal(site.state, 'Running');
  assert.equal(site.kind, 'functionapp,linux');
  assert.equal(site.httpsOnly, true);
  assert.equal(site.serverFarmId, planId('plan-flex'));
  assert.deepEqual(site.functionAppConfig?.scaleAndConcurrency, { alwaysReady: null, instanceMemoryMB: 2048, maximumInstanceCount: 100, triggers: null });
  assert.equal(site.functionAppConfig?.runtime?.name, 'node');
  assert.equal(site.identity?.type, 'SystemAssigned');
  assert.match(site.identity!.principalId!, GUID);
  assert.equal(site.identity!.tenantId, h.azure.tenantId);
  assert.ok((await getHost(site.defaultHostName!)) > 0, 'the function host answers over HTTPS');
  assert.ok((await getHost(scm)) > 0, 'the SCM host answers over HTTPS');

  const wire = await rawRequest(h.azure, 'GET', `${web()}/sites/func-flex?${V}`);
  assert.equal(wire.body.properties.siteConfig.appSettings, null);
  assert.equal(JSON.stringify(wire.body).includes('stlocal"'), false, 'app setting values are not in GET site');
  const plan = await h.web.appServicePlans.get(rg, 'plan-flex');
  assert.equal(plan.numberOfSites, 1);
});

test('site create on the wire: 202 with Azure-AsyncOperation that polls to Succeeded; a re-PUT is a sync 200', async () => {
  const url = `${web()}/sites/func-wire?${V}`;
  const body = { location: 'westeurope', kind: 'functionapp,linux', properties: { serverFarmId: planId('plan-y1'), siteConfig: { linuxFxVersion: 'Node|22' } } };
  const created = await rawRequest(h.azure, 'PUT', url, body);
  assert.equal(created.status, 202);
  assert.equal(created.body.properties.sku, 'Dynamic');
  const poll = created.headers['azure-asyncoperation'];
  assert.ok(poll.startsWith(`${h.azure.endpoint}/subscriptions/${h.sub}/providers/Microsoft.Web/sites/func-wire/operationResults/`), poll);
  const status = await rawRequest(h.azure, 'GET', poll);
  assert.equal(status.status, 200);
  assert.equal(status.body.status, 'Succeeded');
  const again = await rawRequest(h.azure, 'PUT', url, body);
  assert.equal(again.status, 200);
  assert.equal(again.headers['azure-asyncoperation'], undefined);
  await h.web.webApps.delete(rg, 'func-wire');
});

test('Flex validation: functionAppConfig required, deprecated settings and site config rejected as App Service does', async () => {
  const put = (name: string, properties: Record<string, any>) =>
    rawRequest(h.azure, 'PUT', `${web()}/sites/${name}?${V}`, { location: 'westeurope', kind: 'functionapp,linux', properties: { serverFarmId: planId('plan-flex'), ...properties } });

  const noConfig = await put('func-bad1', {});
  assert.equal(noConfig.status, 400);
  assert.match(noConfig.body.Message, /^properties\.functionAppConfig is invalid\. {2}The requested ServerFarm plan-flex is configured for FlexConsumption\./);
  assert.equal(noConfig.body.Details[2].ErrorEntity.ExtendedCode, '51021');

  const config = flexSite('x').functionAppConfig;
  const worker = await put('func-bad2', { functionAppConfig: config, siteConfig: { appSettings: [{ name: 'FUNCTIONS_WORKER_RUNTIME', value: 'node' }] } });
  assert.equal(worker.status, 400);
  assert.equal(worker.body.Message, 'The following app setting (Site.SiteConfig.AppSettings.FUNCTIONS_WORKER_RUNTIME) for Flex Consumption sites is invalid.  Please remove or rename it before retrying.');

  const fx = await put('func-bad3', { functionAppConfig: config, siteConfig: { linuxFxVersion: 'Node|22' } });
  assert.equal(fx.status, 400);
  assert.match(fx.body.Message, /\(Site\.SiteConfig\.LinuxFxVersion\) for Flex Consumption sites is invalid/);

  // The SDK surfaces these as RestError with the status; App Service's PascalCase body carries no lowercase code.
  await assert.rejects(h.web.webApps.beginCreateOrUpdateAndWait(rg, 'func-bad4', { ...flexSite('func-bad4'), functionAppConfig: undefined }, fast), {
    name: 'RestError',
    statusCode: 400,
  });
  for (const name of ['func-bad1', 'func-bad2', 'func-bad3', 'func-bad4']) {
    assert.equal((await rawRequest(h.azure, 'GET', `${web()}/sites/${name}?${V}`)).status, 404);
  }
});

test('site errors: missing plan, invalid name, a name taken anywhere (case-insensitively)', async () => {
  const missingPlan = await rawRequest(h.azure, 'PUT', `${web()}/sites/func-noplan?${V}`, { location: 'westeurope', properties: { serverFarmId: planId('ghost') } });
  assert.equal(missingPlan.status, 404);
  assert.equal(missingPlan.body.Message, 'Cannot find ServerFarm with name ghost.');
  const badName = await rawRequest(h.azure, 'PUT', `${web()}/sites/-bad-?${V}`, { location: 'westeurope', properties: { serverFarmId: planId('plan-y1') } });
  assert.equal(badName.status, 400);

  const other = `/subscriptions/${h.sub}/resourceGroups/rg-other/providers/Microsoft.Web`;
  await rawRequest(h.azure, 'PUT', `${other}/serverfarms/plan-o?${V}`, { location: 'westeurope', sku: { name: 'Y1' }, properties: { reserved: true } });
  const taken = await rawRequest(h.azure, 'PUT', `${other}/sites/FUNC-FLEX?${V}`, { location: 'westeurope', properties: { serverFarmId: `${other}/serverfarms/plan-o` } });
  assert.equal(taken.status, 409);
  assert.equal(taken.body.Code, 'Conflict');
  assert.equal(taken.body.Message, 'Website with given name FUNC-FLEX already exists.');
  await assert.rejects(
    h.web.webApps.beginCreateOrUpdateAndWait('rg-other', 'Func-Flex', { location: 'westeurope', serverFarmId: `${other}/serverfarms/plan-o` }, fast),
    { name: 'RestError', statusCode: 409 },
  );
});

test('Y1 site: settings from create, updateApplicationSettings replaces the set, list returns it', async () => {
  await h.web.webApps.beginCreateOrUpdateAndWait(
    rg,
    'func-y1',
    {
      location: 'westeurope',
      kind: 'functionapp,linux',
      serverFarmId: planId('plan-y1'),
      reserved: true,
      siteConfig: { linuxFxVersion: 'Node|22', appSettings: [{ name: 'FUNCTIONS_WORKER_RUNTIME', value: 'node' }, { name: 'A', value: '1' }] },
    },
    fast,
  );
  const site = await h.web.webApps.get(rg, 'func-y1');
  assert.equal(site.sku, 'Dynamic');
  assert.equal(site.siteConfig?.linuxFxVersion, 'Node|22');
  assert.deepEqual((await h.web.webApps.listApplicationSettings(rg, 'func-y1')).properties, { FUNCTIONS_WORKER_RUNTIME: 'node', A: '1' });

  const updated = await h.web.webApps.updateApplicationSettings(rg, 'func-y1', { properties: { FUNCTIONS_WORKER_RUNTIME: 'node', B: '2' } });
  assert.equal(updated.name, 'appsettings');
  assert.equal(updated.type, 'Microsoft.Web/sites/config');
  assert.deepEqual(updated.properties, { FUNCTIONS_WORKER_RUNTIME: 'node', B: '2' });
  assert.deepEqual((await h.web.webApps.listApplicationSettings(rg, 'func-y1')).properties, { FUNCTIONS_WORKER_RUNTIME: 'node', B: '2' });

  // On Flex the same setting is refused.
  await assert.rejects(h.web.webApps.updateApplicationSettings(rg, 'func-flex', { properties: { FUNCTIONS_WORKER_RUNTIME: 'node' } }), { statusCode: 400 });
  const config = await h.web.webApps.getConfiguration(rg, 'func-y1');
  assert.equal(config.linuxFxVersion, 'Node|22');
});

test('host keys: listed, a named key created with the properties envelope, never in GET site', async () => {
  const keys = await h.web.webApps.listHostKeys(rg, 'func-flex');
  assert.equal(keys.masterKey!.length, 56);
  assert.equal(keys.functionKeys!.default.length, 56);
  assert.deepEqual(keys.systemKeys, {});

  // The v19 SDK sends KeyInfo flat, which App Service refuses (Properties object is not present).
  await assert.rejects(h.web.webApps.createOrUpdateHostSecret(rg, 'func-flex', 'functionKeys', 'apim-x', { name: 'apim-x', value: 'v'.repeat(40) }), {
    statusCode: 400,
  });
  const keyUrl = `${web()}/sites/func-flex/host/default/functionKeys/apim-x?${V}`;
  const created = await rawRequest(h.azure, 'PUT', keyUrl, { properties: { name: 'apim-x' } });
  assert.equal(created.status, 201);
  assert.equal(created.body.name, 'apim-x');
  assert.equal(created.body.type, 'Microsoft.Web/sites/host/functionKeys');
  assert.equal(created.body.properties.value.length, 56);
  const set = await rawRequest(h.azure, 'PUT', keyUrl, { properties: { name: 'apim-x', value: 'k'.repeat(40) } });
  assert.equal(set.status, 200);
  const listed = await h.web.webApps.listHostKeys(rg, 'func-flex');
  assert.equal(listed.functionKeys!['apim-x'], 'k'.repeat(40));

  const siteJson = JSON.stringify((await rawRequest(h.azure, 'GET', `${web()}/sites/func-flex?${V}`)).body);
  for (const secret of [listed.masterKey!, listed.functionKeys!.default, 'k'.repeat(40)]) assert.equal(siteJson.includes(secret), false);

  await h.web.webApps.deleteHostSecret(rg, 'func-flex', 'functionKeys', 'apim-x');
  assert.equal((await h.web.webApps.listHostKeys(rg, 'func-flex')).functionKeys!['apim-x'], undefined);
});

test('trigger sync, restart, publishing credentials; functions come from the data plane registry', async () => {
  // Real ARM answers syncfunctiontriggers with 200 while the SDK expects 204: the SDK throws with statusCode 200.
  await assert.rejects(h.web.webApps.syncFunctionTriggers(rg, 'func-y1'), { name: 'RestError', statusCode: 200 });
  await h.web.webApps.syncFunctions(rg, 'func-y1');
  await h.web.webApps.restart(rg, 'func-y1');
  const creds = await h.web.webApps.beginListPublishingCredentialsAndWait(rg, 'func-y1', fast);
  assert.equal(creds.publishingUserName, '$func-y1');
  assert.ok(creds.publishingPassword);

  const none: string[] = [];
  for await (const f of h.web.webApps.listFunctions(rg, 'func-y1')) none.push(f.name!);
  assert.deepEqual(none, []);
  const site = await h.web.webApps.get(rg, 'func-y1');
  registerFunctions(h.azure.env, site.id!, [{ name: 'hello', config: { bindings: [{ type: 'httpTrigger', authLevel: 'function' }] }, language: 'node' }]);
  const fns: string[] = [];
  for await (const f of h.web.webApps.listFunctions(rg, 'func-y1')) fns.push(f.name!);
  assert.deepEqual(fns, ['func-y1/hello']);
  // listkeys of a function answers the dictionary itself, as real ARM does (not {properties:{...}}).
  const fnKeys = await rawRequest(h.azure, 'POST', `${web()}/sites/func-y1/functions/hello/listkeys?${V}`);
  assert.equal(fnKeys.status, 200);
  assert.equal(fnKeys.body.default.length, 56);
  assert.equal((await rawRequest(h.azure, 'POST', `${web()}/sites/func-y1/functions/nope/listkeys?${V}`)).status, 404);
});

test('identity principal stays across a re-PUT; a plan with sites cannot be deleted', async () => {
  const before = await h.web.webApps.get(rg, 'func-flex');
  const after = await h.web.webApps.beginCreateOrUpdateAndWait(rg, 'func-flex', flexSite('func-flex', { tags: { v: '2' } }), fast);
  assert.equal(after.identity!.principalId, before.identity!.principalId);
  assert.deepEqual(after.tags, { v: '2' });
  assert.equal(after.defaultHostName, before.defaultHostName);
  assert.deepEqual((await h.web.webApps.listApplicationSettings(rg, 'func-flex')).properties, { AzureWebJobsStorage__accountName: 'stlocal' });

  const refused = await rawRequest(h.azure, 'DELETE', `${planId('plan-flex')}?${V}`);
  assert.equal(refused.status, 409);
  assert.equal(refused.body.Message, "Server farm 'plan-flex' cannot be deleted because it has web app(s) func-flex assigned to it.");
  await assert.rejects(h.web.appServicePlans.delete(rg, 'plan-flex'), { statusCode: 409 });
});

test('sites go with their resource group, and give their loopback ports back', async () => {
  await h.resources.resourceGroups.createOrUpdate('rg-gone', { location: 'westeurope' });
  await h.web.appServicePlans.beginCreateOrUpdateAndWait('rg-gone', 'plan-g', { location: 'westeurope', sku: { name: 'Y1', tier: 'Dynamic' }, reserved: true }, fast);
  const site = await h.web.webApps.beginCreateOrUpdateAndWait(
    'rg-gone',
    'func-gone',
    { location: 'westeurope', kind: 'functionapp,linux', serverFarmId: `/subscriptions/${h.sub}/resourceGroups/rg-gone/providers/Microsoft.Web/serverfarms/plan-g` },
    fast,
  );
  assert.ok((await getHost(site.defaultHostName!)) > 0);
  await h.resources.resourceGroups.delete('rg-gone', fast);
  await assert.rejects(h.web.webApps.get('rg-gone', 'func-gone'), { statusCode: 404 });
  assert.equal(h.azure.env.hosts.hostOf(site.id!, 'function-app'), undefined);
  assert.equal(h.azure.env.hosts.hostOf(site.id!, 'scm'), undefined);
  await assert.rejects(getHost(site.defaultHostName!), { code: 'ECONNREFUSED' });
});

test('plans: a Consumption plan cannot switch to Flex Consumption in place (or back)', async () => {
  await h.resources.resourceGroups.createOrUpdate('rg-sku', { location: 'westeurope' });
  await h.web.appServicePlans.createOrUpdate('rg-sku', 'plan-y1', { location: 'westeurope', kind: 'functionapp', sku: { name: 'Y1', tier: 'Dynamic' }, reserved: true } as any, fast);
  await assert.rejects(
    h.web.appServicePlans.createOrUpdate('rg-sku', 'plan-y1', { location: 'westeurope', kind: 'functionapp', sku: { name: 'FC1', tier: 'FlexConsumption' }, reserved: true } as any, fast),
    { statusCode: 400 },
  );
  assert.equal((await h.web.appServicePlans.get('rg-sku', 'plan-y1')).sku?.tier, 'Dynamic');
});
