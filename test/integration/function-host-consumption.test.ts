// Linux Consumption on the local Azure: the app runs from WEBSITE_RUN_FROM_PACKAGE (a read-only SAS URL to
// a blob in function-releases, as Core Tools sets it), reloads when the setting changes, and keeps its code
// when a new URL cannot be loaded. A small hand-made app then checks the host's HTTP contract: anonymous
// and admin levels, route templates (params, optional, constraints), a custom route prefix, status codes of
// failed invocations and empty results, cookies and headers, and disabled functions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { BlobSASPermissions, BlobServiceClient, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { startHarness, fast, type LocalAzureHarness } from '../helpers/local-azure.ts';
import { templateFiles, zip } from './function-host-package.ts';
import { existsSync, readFileSync } from 'node:fs';
import { functionHostOf } from '../../src/local/functions/index.ts';

const rg = 'rg-fncons';
const app = 'fn-cons-e2e';
const account = 'stfnconse2e';
const agent = new https.Agent({ keepAlive: true });
let h: LocalAzureHarness;
let host = '';
let conn = '';
let svc: BlobServiceClient;
let cred: StorageSharedKeyCredential;
let files: Record<string, Uint8Array>;

function call(method: string, url: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
    const req = https.request(url, { method, agent, ca: h.azure.caCertPem, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Uploads a package to function-releases and returns its 10-year read-only SAS URL (Core Tools' shape). */
async function release(name: string, pkg: Buffer): Promise<string> {
  const container = svc.getContainerClient('function-releases');
  await container.createIfNotExists();
  await container.getBlockBlobClient(name).uploadData(pkg);
  const sas = generateBlobSASQueryParameters(
    { containerName: 'function-releases', blobName: name, permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 10 * 365 * 86400_000) },
    cred,
  );
  return `${container.getBlockBlobClient(name).url}?${sas}`;
}

async function runFromPackage(url: string, extra: Record<string, string> = {}): Promise<void> {
  await h.web.webApps.updateApplicationSettings(rg, app, {
    properties: { AzureWebJobsStorage: conn, FUNCTIONS_WORKER_RUNTIME: 'node', FUNCTIONS_EXTENSION_VERSION: '~4', WEBSITE_RUN_FROM_PACKAGE: url, WEBSITE_MOUNT_ENABLED: '1', ...extra },
  });
  await h.web.webApps.syncFunctions(rg, app);
}

before(async () => {
  files = templateFiles();
  h = await startHarness();
  await h.resources.resourceGroups.createOrUpdate(rg, { location: 'eastus' });
  await h.storage.storageAccounts.beginCreateAndWait(rg, account, { location: 'eastus', sku: { name: 'Standard_LRS' }, kind: 'StorageV2' }, fast);
  const key = (await h.storage.storageAccounts.listKeys(rg, account)).keys![0].value!;
  const endpoint = (await h.storage.storageAccounts.getProperties(rg, account)).primaryEndpoints!.blob!;
  conn = `DefaultEndpointsProtocol=https;AccountName=${account};AccountKey=${key};BlobEndpoint=${endpoint}`;
  cred = new StorageSharedKeyCredential(account, key);
  svc = new BlobServiceClient(endpoint, cred, { tlsOptions: { ca: h.azure.caCertPem } } as any);
  const plan = await h.web.appServicePlans.beginCreateOrUpdateAndWait(rg, 'plan-y1', { location: 'eastus', kind: 'functionapp', sku: { name: 'Y1', tier: 'Dynamic' }, reserved: true }, fast);
  const site = await h.web.webApps.beginCreateOrUpdateAndWait(
    rg,
    app,
    { location: 'eastus', kind: 'functionapp,linux', serverFarmId: plan.id, siteConfig: { linuxFxVersion: 'Node|22', appSettings: [{ name: 'AzureWebJobsStorage', value: conn }] } },
    fast,
  );
  host = site.defaultHostName!;
});

after(async () => {
  agent.destroy();
  await h.close();
});

test('WEBSITE_RUN_FROM_PACKAGE: the app runs the package, reloads on a new URL, keeps its code on a bad one', async () => {
  await runFromPackage(await release('20240101000000-v1.zip', zip(files)));
  const key = (await h.web.webApps.listHostKeys(rg, app)).functionKeys!.default;
  const health = await call('GET', `https://${host}/api/health`, { 'x-functions-key': key });
  assert.equal(health.status, 200, health.text);
  assert.deepEqual(JSON.parse(health.text), { status: 'ok' });
  const fns: string[] = [];
  for await (const f of h.web.webApps.listFunctions(rg, app)) fns.push(f.name!.split('/')[1]);
  assert.equal(fns.length, 6);

  const health2 = Buffer.from(files['dist/src/functions/health.js']).toString().replace("{ status: 'ok' }", "{ status: 'ok', version: 2 }");
  assert.match(health2, /version: 2/);
  await runFromPackage(await release('20240101000001-v2.zip', zip({ ...files, 'dist/src/functions/health.js': Buffer.from(health2) })));
  assert.deepEqual(JSON.parse((await call('GET', `https://${host}/api/health`, { 'x-functions-key': key })).text), { status: 'ok', version: 2 });

  // A URL that does not load (no such blob): the app keeps serving what it ran.
  const missing = (await release('20240101000002-v3.zip', zip(files))).replace('v3.zip', 'v4.zip');
  await runFromPackage(missing);
  assert.deepEqual(JSON.parse((await call('GET', `https://${host}/api/health`, { 'x-functions-key': key })).text), { status: 'ok', version: 2 });
});

/** A small app on @azure/functions v4 (the template's copy) that exercises the host's HTTP contract. */
function contractApp(): Record<string, Uint8Array> {
  const modules = Object.fromEntries(Object.entries(files).filter(([p]) => p.startsWith('node_modules/')));
  const index = `
const { app } = require('@azure/functions');
app.http('open', { methods: ['GET', 'POST'], authLevel: 'anonymous', route: 'items/{id:int}/{name?}', handler: async (req, ctx) => ({
  jsonBody: { id: req.params.id, name: req.params.name ?? null, q: req.query.get('q'), fn: ctx.functionName, hasInvocationId: !!ctx.invocationId, url: req.url, body: await req.text(), ua: req.headers.get('x-test') },
  headers: { 'x-served-by': 'contract' },
  cookies: [{ name: 'session', value: 'abc', httpOnly: true, path: '/' }],
}) });
app.http('adminOnly', { authLevel: 'admin', route: 'admin-only', handler: async () => ({ body: 'admin' }) });
app.http('fails', { authLevel: 'anonymous', handler: async () => { throw new Error('kaput'); } });
app.http('nothing', { authLevel: 'anonymous', handler: async () => undefined });
app.http('status', { authLevel: 'anonymous', handler: async () => ({ status: 418, body: 'teapot' }) });
app.http('turnedOff', { authLevel: 'anonymous', handler: async () => ({ body: 'on' }) });
app.http('rest', { authLevel: 'anonymous', route: 'files/{*path}', handler: async (req) => ({ body: req.params.path }) });
app.http('crash', { authLevel: 'anonymous', handler: async () => { setTimeout(() => process.exit(3), 20); return { body: 'bye' }; } });
`;
  return {
    ...modules,
    'host.json': Buffer.from(JSON.stringify({ version: '2.0', extensions: { http: { routePrefix: 'v1' } } })),
    'package.json': Buffer.from(JSON.stringify({ name: 'contract', main: 'index.js', dependencies: { '@azure/functions': '^4' } })),
    'index.js': Buffer.from(index),
  };
}

test('the host HTTP contract: auth levels, route templates, prefix, failures, empty results, cookies, disabled functions', async () => {
  await runFromPackage(await release('20240101000003-contract.zip', zip(contractApp())), { 'AzureWebJobs.turnedOff.Disabled': 'true' });
  const base = `https://${host}/v1`;
  const open = await call('POST', `${base}/items/42/widget?q=1&q=2`, { 'x-test': 'yes', 'content-type': 'text/plain' }, 'payload');
  assert.equal(open.status, 200, open.text);
  const body = JSON.parse(open.text);
  assert.deepEqual(
    { ...body, url: undefined },
    { id: '42', name: 'widget', q: '1,2', fn: 'open', hasInvocationId: true, url: undefined, body: 'payload', ua: 'yes' },
  );
  assert.equal(body.url, `https://${host}/v1/items/42/widget?q=1&q=2`);
  assert.equal(open.headers['x-served-by'], 'contract');
  assert.deepEqual(open.headers['set-cookie'], ['session=abc; path=/; httponly']);
  assert.equal(JSON.parse((await call('GET', `${base}/items/7`)).text).name, null, 'optional parameter');
  assert.equal((await call('GET', `${base}/items/seven`)).status, 404, 'the int constraint');
  assert.equal((await call('GET', `https://${host}/api/items/7`)).status, 404, 'the route prefix is v1');
  assert.equal((await call('GET', `${base}/files/a/b/c.txt`)).text, 'a/b/c.txt', 'catch-all');

  const keys = await h.web.webApps.listHostKeys(rg, app);
  assert.equal((await call('GET', `${base}/admin-only`, { 'x-functions-key': keys.functionKeys!.default })).status, 401, 'a function key is not enough for admin');
  assert.equal((await call('GET', `${base}/admin-only?code=${encodeURIComponent(keys.masterKey!)}`)).text, 'admin');

  const failed = await call('GET', `${base}/fails`);
  assert.equal(failed.status, 500);
  assert.equal(failed.text, '');
  assert.equal((await call('GET', `${base}/nothing`)).status, 204);
  const teapot = await call('GET', `${base}/status`);
  assert.equal(teapot.status, 418);
  assert.equal(teapot.text, 'teapot');
  assert.equal((await call('GET', `${base}/turnedOff`)).status, 404, 'AzureWebJobs.<name>.Disabled');
  const listed = await h.web.webApps.getFunction(rg, app, 'turnedOff');
  assert.equal(listed.isDisabled, true);
  assert.equal((await h.web.webApps.getFunction(rg, app, 'open')).invokeUrlTemplate, `https://${host}/v1/items/{id:int}/{name?}`);
});

test('a crashed worker is started again (requests wait for it); deleting the site stops its code', async () => {
  const base = `https://${host}/v1`;
  const manager = functionHostOf(h.azure.env)!;
  const siteId = (await h.web.webApps.get(rg, app)).id!;
  const before = manager.runtimeOf(siteId)!.worker!;
  assert.equal((await call('GET', `${base}/crash`)).text, 'bye');
  while (before.alive) await new Promise((r) => setTimeout(r, 10));
  // The next request waits for the restarted worker instead of failing.
  const after = await call('GET', `${base}/status`);
  assert.equal(after.status, 418);
  assert.notEqual(manager.runtimeOf(siteId)!.worker, before);
  assert.match(readFileSync(manager.logFile(siteId), 'utf8'), /worker exited unexpectedly \(code 3\)/);

  const dir = manager.siteDir(siteId);
  const worker = manager.runtimeOf(siteId)!.worker!;
  await h.web.webApps.delete(rg, app);
  for (let i = 0; i < 200 && (worker.alive || existsSync(dir)); i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(worker.alive, false, 'the worker process is stopped');
  assert.equal(existsSync(dir), false, 'the site folder is removed');
  assert.equal(manager.runtimeOf(siteId), undefined);
});
