// A Flex Consumption app end to end on the local Azure: ARM creates it (plan, storage, deployment container,
// site with functionAppConfig, blob data role for its identity), One Deploy publishes the real template's
// package to the SCM host, and the function host serves it with function keys, swaps code on redeploy
// without failing a request, refuses broken packages, and keeps serving across a restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { startHarness, fast, rawRequest, type LocalAzureHarness } from '../helpers/local-azure.ts';
import { templateFiles, zip } from './function-host-package.ts';
import { functionHostOf, invocationsOf } from '../../src/local/functions/index.ts';

const rg = 'rg-fnhost';
const app = 'fn-host-e2e';
const account = 'stfnhoste2e';
const BLOB_OWNER = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b';
const dataDir = mkdtempSync(join(tmpdir(), 'apim-fn-fnhost-'));
const agent = new https.Agent({ keepAlive: true });
let h: LocalAzureHarness;
let host = '';
let scm = '';
let siteId = '';
let files: Record<string, Uint8Array>;

interface Res {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

function call(method: string, url: string, opts: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, agent, ca: h.azure.caCertPem, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const bearer = { authorization: 'Bearer local-test-token' };

async function publish(pkg: Buffer): Promise<{ status: number; complete: boolean; status_text: string; id: string }> {
  const started = await call('POST', `https://${scm}/api/publish?isAsync=true&RemoteBuild=false&Deployer=core_tools`, { headers: { ...bearer, 'content-type': 'application/zip' }, body: pkg });
  assert.equal(started.status, 202, started.text);
  const location = String(started.headers.location);
  assert.match(location, new RegExp(`^https://${scm.replace(/\./g, '\\.')}/api/deployments/[0-9a-f-]{36}$`));
  for (let i = 0; i < 600; i++) {
    const polled = await call('GET', location, { headers: bearer });
    // Flex answers 200 whether the deployment runs, failed or succeeded: the state is in the body.
    assert.equal(polled.status, 200);
    const d = JSON.parse(polled.text);
    if (d.complete) return d;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('deployment did not complete');
}

before(async () => {
  files = templateFiles();
  h = await startHarness({ dataDir });
  await h.resources.resourceGroups.createOrUpdate(rg, { location: 'eastus' });
  await h.storage.storageAccounts.beginCreateAndWait(rg, account, { location: 'eastus', sku: { name: 'Standard_LRS' }, kind: 'StorageV2' }, fast);
  await h.storage.blobContainers.create(rg, account, 'app-package', {});
  const blob = (await h.storage.storageAccounts.getProperties(rg, account)).primaryEndpoints!.blob!;
  const plan = await h.web.appServicePlans.beginCreateOrUpdateAndWait(rg, 'plan-fc1', { location: 'eastus', kind: 'functionapp', sku: { name: 'FC1', tier: 'FlexConsumption' }, reserved: true }, fast);
  const site = await h.web.webApps.beginCreateOrUpdateAndWait(
    rg,
    app,
    {
      location: 'eastus',
      kind: 'functionapp,linux',
      identity: { type: 'SystemAssigned' },
      serverFarmId: plan.id,
      siteConfig: { appSettings: [{ name: 'AzureWebJobsStorage__accountName', value: account }, { name: 'API_PUBLIC_URL', value: 'https://api.example.test/v1' }] },
      functionAppConfig: {
        deployment: { storage: { type: 'blobContainer', value: `${blob}app-package`, authentication: { type: 'SystemAssignedIdentity' } } },
        runtime: { name: 'node', version: '22' },
        scaleAndConcurrency: { instanceMemoryMB: 2048, maximumInstanceCount: 100 },
      },
    },
    fast,
  );
  siteId = site.id!;
  host = site.defaultHostName!;
  scm = site.enabledHostNames!.find((n) => n !== host)!;
});

after(async () => {
  agent.destroy();
  await h.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('SCM host: no bearer → 401; a deploy without a blob data role on the deployment container fails with the storage error', async () => {
  const anon = await call('POST', `https://${scm}/api/publish?isAsync=true`, { body: zip(files) });
  assert.equal(anon.status, 401);
  const failed = await publish(zip(files));
  assert.equal(failed.status, 3);
  assert.match(failed.status_text, /403 \(This request is not authorized to perform this operation using this permission\.\)/);
  const log = JSON.parse((await call('GET', `https://${scm}/api/deployments/${failed.id}/log`, { headers: bearer })).text);
  assert.ok(log.some((e: any) => e.type === 2 && /BlobUploadFailedException/.test(e.message)), 'the log names the failure');
  // Nothing was deployed: the app has no functions yet.
  assert.equal((await call('GET', `https://${host}/api/getter?message=x`)).status, 404);
});

test('One Deploy to Success, then HTTP triggers with function keys, methods and ARM function list', async () => {
  const principalId = (await h.web.webApps.get(rg, app)).identity!.principalId!;
  const scope = `subscriptions/${h.sub}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${account}`;
  await h.authorization.roleAssignments.create(scope, randomUUID(), {
    roleDefinitionId: `/subscriptions/${h.sub}/providers/Microsoft.Authorization/roleDefinitions/${BLOB_OWNER}`,
    principalId,
    principalType: 'ServicePrincipal',
  });
  const pkg = zip(files);
  const done = await publish(pkg);
  assert.equal(done.status, 4, done.status_text);
  const list = JSON.parse((await call('GET', `https://${scm}/api/deployments`, { headers: bearer })).text);
  assert.deepEqual(list.slice(0, 2).map((d: any) => d.status), [4, 3], 'newest first');

  // The package is where Flex keeps it: released-package.zip in the deployment container.
  const key = (await h.storage.storageAccounts.listKeys(rg, account)).keys![0].value!;
  const endpoint = (await h.storage.storageAccounts.getProperties(rg, account)).primaryEndpoints!.blob!;
  const svc = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(account, key), { tlsOptions: { ca: h.azure.caCertPem } } as any);
  const stored = await svc.getContainerClient('app-package').getBlockBlobClient('released-package.zip').downloadToBuffer();
  assert.equal(Buffer.compare(stored, pkg), 0);

  const url = `https://${host}/api/getter?message=world`;
  const anon = await call('GET', url);
  assert.equal(anon.status, 401);
  assert.equal(anon.text, '', 'the host answers 401 with an empty body');

  const keys = await h.web.webApps.listHostKeys(rg, app);
  const ok = await call('GET', url, { headers: { 'x-functions-key': keys.functionKeys!.default } });
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.text), { message: 'world' });
  assert.match(String(ok.headers['content-type']), /^application\/json/);
  assert.equal((await call('GET', `${url}&code=${encodeURIComponent(keys.functionKeys!.default)}`)).status, 200);
  assert.equal((await call('GET', url, { headers: { 'x-functions-key': keys.masterKey! } })).status, 200, 'the master key works for function level');
  assert.equal((await call('GET', url, { headers: { 'x-functions-key': 'not-a-key' } })).status, 401);
  assert.equal((await call('GET', `https://${host}/api/getter`, { headers: { 'x-functions-key': keys.functionKeys!.default } })).status, 422);

  // A named host key made through ARM (the {properties:{name}} envelope real ARM takes) works at once.
  const named = await rawRequest(h.azure, 'PUT', `${siteId}/host/default/functionKeys/apim-gw?api-version=2025-05-01`, { properties: { name: 'apim-gw' } });
  assert.equal(named.status, 201);
  assert.equal((await call('GET', url, { headers: { 'x-functions-key': named.body.properties.value } })).status, 200);
  // A function's own key works for that function.
  const own = await rawRequest(h.azure, 'POST', `${siteId}/functions/getter/listkeys?api-version=2025-05-01`);
  assert.equal((await call('GET', url, { headers: { 'x-functions-key': own.body.default } })).status, 200);

  const posted = await call('POST', `https://${host}/api/poster`, { headers: { 'x-functions-key': keys.functionKeys!.default, 'content-type': 'text/plain' }, body: 'hello' });
  assert.equal(posted.status, 200);
  assert.equal(posted.text, 'You posted: hello');
  // Wrong method or no such function: 404 with an empty body.
  assert.equal((await call('POST', url, { headers: { 'x-functions-key': keys.functionKeys!.default } })).status, 404);
  assert.equal((await call('GET', `https://${host}/api/nope`)).status, 404);
  // Route templates with parameters reach the function with request.params.
  const asset = await call('GET', `https://${host}/api/docs/swagger-ui.css`, { headers: { 'x-functions-key': keys.functionKeys!.default } });
  assert.equal(asset.status, 200);
  assert.match(String(asset.headers['content-type']), /text\/css/);

  const fns: string[] = [];
  for await (const f of h.web.webApps.listFunctions(rg, app)) fns.push(f.name!.split('/')[1]);
  assert.deepEqual(fns.sort(), ['docs', 'docsAsset', 'getter', 'health', 'openapi', 'poster']);
  const getter = await h.web.webApps.getFunction(rg, app, 'getter');
  assert.equal(getter.invokeUrlTemplate, `https://${host}/api/getter`);

  const status = await call('GET', `https://${host}/admin/host/status`, { headers: { 'x-functions-key': keys.masterKey! } });
  assert.equal(JSON.parse(status.text).state, 'Running');
  assert.equal((await call('GET', `https://${host}/admin/host/status`, { headers: { 'x-functions-key': keys.functionKeys!.default } })).status, 401);

  const records = invocationsOf(h.azure.env, siteId);
  assert.ok(records.some((r) => r.functionName === 'getter' && r.status === 'Succeeded' && r.httpStatus === 200 && r.durationMs >= 0));
  assert.ok(records.some((r) => r.functionName === 'poster'));
});

test('redeploy swaps the code while a request loop sees no failure; latency and cold start are measured', async () => {
  const key = (await h.web.webApps.listHostKeys(rg, app)).functionKeys!.default;
  const url = `https://${host}/api/getter?message=swap`;
  // Direct latency to the host (warm, keep-alive).
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    assert.equal((await call('GET', url, { headers: { 'x-functions-key': key } })).status, 200);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const cold = functionHostOf(h.azure.env)!.runtimeOf(siteId)!.worker!.startMs;
  console.log(`# function host: cold start ${cold.toFixed(0)} ms; direct request p50 ${times[100].toFixed(2)} ms, p95 ${times[190].toFixed(2)} ms`);

  const modified = { ...files };
  const getterJs = Buffer.from(files['dist/src/functions/getter.js']).toString('utf8');
  assert.match(getterJs, /200, \{ message \}\)/);
  modified['dist/src/functions/getter.js'] = Buffer.from(getterJs.replace('200, { message })', '200, { message, version: 2 })'));

  const seen = new Set<string>();
  let failures = 0;
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const r = await call('GET', url, { headers: { 'x-functions-key': key } });
      if (r.status !== 200) failures++;
      else seen.add(r.text);
    }
  })();
  const done = await publish(zip(modified));
  await new Promise((r) => setTimeout(r, 100));
  stop = true;
  await loop;
  assert.equal(done.status, 4, done.status_text);
  assert.equal(failures, 0, 'no request failed during the swap');
  assert.ok(seen.has('{"message":"swap"}') && seen.has('{"message":"swap","version":2}'), `both versions served: ${[...seen].join(' ')}`);
  assert.deepEqual(JSON.parse((await call('GET', url, { headers: { 'x-functions-key': key } })).text), { message: 'swap', version: 2 });
});

test('broken packages end Failed with a readable log and the running code keeps serving', async () => {
  const key = (await h.web.webApps.listHostKeys(rg, app)).functionKeys!.default;
  const { 'host.json': _host, ...noHost } = files;
  void _host;
  const noHostJson = await publish(zip(noHost));
  assert.equal(noHostJson.status, 3);
  assert.match(noHostJson.status_text, /host\.json was not found/);

  const throwing = { ...files, 'dist/src/functions/health.js': Buffer.from("throw new Error('boom at load');\n") };
  const badEntry = await publish(zip(throwing));
  assert.equal(badEntry.status, 3);
  assert.match(badEntry.status_text, /Worker was unable to load entry point "dist\/src\/functions\/health\.js": boom at load/);
  const log = JSON.parse((await call('GET', `https://${scm}/api/deployments/${badEntry.id}/log`, { headers: bearer })).text);
  assert.ok(log.some((e: any) => e.type === 2 && /boom at load/.test(e.message)));

  const still = await call('GET', `https://${host}/api/getter?message=ok`, { headers: { 'x-functions-key': key } });
  assert.deepEqual(JSON.parse(still.text), { message: 'ok', version: 2 });
});

test('a restart of the local Azure keeps serving the deployed app', async () => {
  const key = (await h.web.webApps.listHostKeys(rg, app)).functionKeys!.default;
  await h.close();
  h = await startHarness({ dataDir });
  const site = await h.web.webApps.get(rg, app);
  assert.equal(site.defaultHostName, host, 'the host keeps its port');
  const r = await call('GET', `https://${host}/api/getter?message=again`, { headers: { 'x-functions-key': key } });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.text), { message: 'again', version: 2 });
  const fns: string[] = [];
  for await (const f of h.web.webApps.listFunctions(rg, app)) fns.push(f.name!.split('/')[1]);
  assert.equal(fns.length, 6);
});
