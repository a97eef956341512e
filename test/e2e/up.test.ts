// `apim-fn up --local` as a user types it: converge from nothing, read back through the SDKs, then prove
// idempotence from the local Azure's own request log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { testCredential } from '../helpers/local-azure.ts';
import { WebSiteManagementClient } from '@azure/arm-appservice';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { StorageManagementClient } from '@azure/arm-storage';

const data = mkdtempSync(join(tmpdir(), 'apim-fn-e2e-up-data-'));
const cwd = mkdtempSync(join(tmpdir(), 'apim-fn-e2e-up-proj-'));
const env = { APIM_FN_LOCAL_DATA: data };
const cli = (...args: string[]) => runCli(args, env, undefined, cwd);
let status: any;

async function writesSince(seq: number): Promise<any[]> {
  const log = JSON.parse((await cli('local', 'log', '--json', '--writes', '--since', String(seq))).stdout);
  return log.requests;
}
async function lastSeq(): Promise<number> {
  return JSON.parse((await cli('local', 'log', '--json')).stdout).lastSeq;
}
const sdkOptions = () => ({ endpoint: status.endpoint, tlsOptions: { ca: readFileSync(status.caCert, 'utf8') } }) as any;

before(() => copyFileSync(new URL('../../api-spec.yml', import.meta.url), join(cwd, 'api-spec.yml')));
after(async () => {
  await cli('local', 'stop');
  rmSync(data, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

test('invalid input exits 2 before any request (the local Azure is not even started)', async () => {
  for (const args of [
    ['up', '--local', '--name', 'Bad_Name'],
    ['up', '--local', '--name', 'ok', '--storage-account', 'NO'],
    ['up', '--local', '--name', 'ok', '--location', 'moon'],
    ['up', '--local', '--name', 'ok', '--spec', 'missing.yml'],
    ['up', '--local', '--name', 'ok', '--plan', 'premium'],
    ['up', '--local'],
  ]) {
    const r = await cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('error')).length, 1, 'one error line');
  }
  assert.equal(existsSync(join(data, 'daemon.json')), false, 'no local Azure was started');
});

test('fresh up converges; resources carry the settings; a second up and --dry-run send zero writes', async () => {
  const first = await cli('up', '--local', '--name', 'e2e', '--json');
  assert.equal(first.code, 0, first.stderr);
  const summary = JSON.parse(first.stdout);
  assert.match(summary.endpoints.gatewayUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(summary.endpoints.apiUrl, `${summary.endpoints.gatewayUrl}/example`);
  assert.ok(summary.resources.every((r: any) => r.exists), 'every resource exists after up');
  assert.doesNotMatch(first.stdout, /AccountKey=|masterKey|primaryKey/i, 'no secrets in --json');
  status = JSON.parse((await cli('local', 'status', '--json')).stdout);
  const settings = JSON.parse(readFileSync(join(cwd, '.apim-fn.json'), 'utf8'));
  assert.equal(settings.name, 'e2e');
  assert.equal(settings.target, 'local');
  assert.doesNotMatch(JSON.stringify(settings), /key/i);

  const web = new WebSiteManagementClient(testCredential, status.subscriptionId, sdkOptions());
  const site = await web.webApps.get('rg-e2e', 'fa-e2e-func');
  assert.equal(site.httpsOnly, true);
  assert.equal(site.kind, 'functionapp,linux');
  assert.equal(site.identity?.type, 'SystemAssigned');
  assert.equal(site.functionAppConfig?.runtime?.name, 'node');
  assert.equal(site.functionAppConfig?.runtime?.version, '22');
  const appSettings = (await web.webApps.listApplicationSettings('rg-e2e', 'fa-e2e-func')).properties!;
  assert.match(appSettings.APPLICATIONINSIGHTS_CONNECTION_STRING, /^InstrumentationKey=/);
  assert.equal(appSettings.AzureWebJobsStorage__accountName, site.name && (await storageName()));
  const keys = await web.webApps.listHostKeys('rg-e2e', 'fa-e2e-func');
  assert.ok(keys.functionKeys?.['apim-apim-e2e'], 'a dedicated host key for the gateway');

  const storage = new StorageManagementClient(testCredential, status.subscriptionId, sdkOptions());
  const account = await storage.storageAccounts.getProperties('rg-e2e', await storageName());
  assert.equal(account.enableHttpsTrafficOnly, true);
  assert.equal(account.minimumTlsVersion, 'TLS1_2');
  assert.equal(account.allowBlobPublicAccess, false);
  assert.equal(account.allowSharedKeyAccess, false);

  const apim = new ApiManagementClient(testCredential, status.subscriptionId, sdkOptions());
  const svc = await apim.apiManagementService.get('rg-e2e', 'apim-e2e');
  assert.equal(svc.sku.name, 'Consumption');
  const nv = await apim.namedValue.get('rg-e2e', 'apim-e2e', 'function-app-key');
  assert.equal(nv.secret, true);
  assert.equal(nv.value, undefined, 'secret not returned by GET');
  assert.equal((await apim.namedValue.listValue('rg-e2e', 'apim-e2e', 'function-app-key')).value, keys.functionKeys!['apim-apim-e2e']);
  const backend = await apim.backend.get('rg-e2e', 'apim-e2e', 'function-app');
  assert.deepEqual(backend.credentials?.header, { 'x-functions-key': ['{{function-app-key}}'] });
  const api = await apim.api.get('rg-e2e', 'apim-e2e', 'example');
  assert.equal(api.path, 'example');
  assert.equal(api.subscriptionRequired, true);
  assert.equal(api.serviceUrl, `https://${site.defaultHostName}/api`);
  const ops: string[] = [];
  for await (const op of apim.apiOperation.listByApi('rg-e2e', 'apim-e2e', 'example')) ops.push(op.name!);
  assert.deepEqual(ops.sort(), ['get-getter', 'post-poster'], 'required query parameters stay query parameters');
  const publicApi = await apim.api.get('rg-e2e', 'apim-e2e', 'public');
  assert.equal(publicApi.subscriptionRequired, false);
  for (const sid of ['admin', 'client']) assert.equal((await apim.subscription.get('rg-e2e', 'apim-e2e', sid)).state, 'active');

  let seq = await lastSeq();
  const second = await cli('up');
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual((await writesSince(seq)).map((r) => `${r.method} ${r.path}`), [], 'second up: zero writes');

  seq = await lastSeq();
  const dry = await cli('up', '--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /unchanged/);
  assert.deepEqual(await writesSince(seq), [], '--dry-run: zero writes');

  seq = await lastSeq();
  const st = await cli('status', '--json');
  assert.equal(st.code, 0, st.stderr);
  const report = JSON.parse(st.stdout);
  assert.ok(report.resources.every((r: any) => r.exists && r.action === 'unchanged'), 'status: no drift');
  assert.equal(report.endpoints.gatewayUrl, summary.endpoints.gatewayUrl);
  assert.deepEqual(await writesSince(seq), [], 'status sends no write');

  // A changed spec re-imports the API (and its spec hash), nothing else.
  const spec = readFileSync(join(cwd, 'api-spec.yml'), 'utf8').replace('summary: Echo a message', 'summary: Echo a message back');
  writeFileSync(join(cwd, 'api-spec.yml'), spec);
  seq = await lastSeq();
  const third = await cli('up');
  assert.equal(third.code, 0, third.stderr);
  // The deployed function serves the spec at /openapi.json, so its package changes too: the code is
  // redeployed (its hash is kept in an app setting); no other resource is written.
  const writes = (await writesSince(seq)).map((r: any) => r.path.split('/service/apim-e2e/')[1] ?? r.path.split('/sites/fa-e2e-func/')[1] ?? r.path);
  assert.ok(writes.includes('apis/example'), `the API is re-imported: ${writes}`);
  assert.ok(
    writes.every((p: string) => ['apis/example', 'namedValues/apim-fn-spec-example', 'config/appsettings'].includes(p)),
    `only the API (and the redeployed code's hash): ${writes}`,
  );
});

async function storageName(): Promise<string> {
  return JSON.parse(readFileSync(join(cwd, '.apim-fn.json'), 'utf8')).names.storageAccount;
}

test('down deletes the group; the soft-deleted APIM name is a clear error, --restore brings it back, --purge frees it', async () => {
  assert.equal((await cli('down')).code, 2, 'down off a TTY needs --yes');
  const down = await cli('down', '--yes');
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stdout, /stays soft-deleted/);
  assert.equal(existsSync(join(cwd, '.apim-fn.json')), false, 'settings removed');

  let seq = await lastSeq();
  const blocked = await cli('up', '--local', '--name', 'e2e');
  assert.equal(blocked.code, 1);
  assert.match(blocked.stderr, /soft-deleted.*--restore.*down --purge/);
  assert.deepEqual(await writesSince(seq), [], 'the trap is found before any write');

  const restored = await cli('up', '--local', '--name', 'e2e', '--restore');
  assert.equal(restored.code, 0, restored.stderr);
  seq = await lastSeq();
  assert.equal((await cli('up')).code, 0);
  assert.deepEqual(await writesSince(seq), [], 'converged after a restore');

  const purge = await cli('down', '--yes', '--purge');
  assert.equal(purge.code, 0, purge.stderr);
  assert.match(purge.stdout, /purged apim-e2e/);
  const again = await cli('up', '--local', '--name', 'e2e');
  assert.equal(again.code, 0, again.stderr);
});

test('known traps are found while observing, before any write: a region without Flex or APIM Consumption, a taken site name', async () => {
  const other = mkdtempSync(join(tmpdir(), 'apim-fn-e2e-up-other-'));
  try {
    copyFileSync(join(cwd, 'api-spec.yml'), join(other, 'api-spec.yml'));
    const run = (...args: string[]) => runCli(args, env, undefined, other);
    const cases: Array<[string[], RegExp]> = [
      [['--name', 'trap1', '--location', 'ukwest'], /Flex Consumption is not available in ukwest.*--plan consumption/],
      [['--name', 'trap2', '--location', 'uaenorth'], /API Management Consumption is not available in uaenorth/],
      [['--name', 'trap3', '--function-app', 'fa-e2e-func'], /function app name 'fa-e2e-func' is taken.*--function-app/],
    ];
    for (const [args, message] of cases) {
      const seq = await lastSeq();
      const r = await run('up', '--local', ...args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.deepEqual(await writesSince(seq), [], `${args.join(' ')}: no write`);
    }
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('a project on Linux Consumption stays on it: up without flags takes plan, location and spec from .apim-fn.json', async () => {
  const other = mkdtempSync(join(tmpdir(), 'apim-fn-e2e-up-cons-'));
  try {
    copyFileSync(join(cwd, 'api-spec.yml'), join(other, 'my-spec.yml'));
    const run = (...args: string[]) => runCli(args, env, undefined, other);
    const first = await run('up', '--local', '--name', 'cons', '--plan', 'consumption', '--location', 'northeurope', '--spec', 'my-spec.yml', '--no-deploy');
    assert.equal(first.code, 0, first.stderr);
    const seq = await lastSeq();
    const again = await run('up', '--no-deploy');
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual((await writesSince(seq)).map((r) => `${r.method} ${r.path}`), [], 'nothing reverts to the defaults');
    const settings = JSON.parse(readFileSync(join(other, '.apim-fn.json'), 'utf8'));
    assert.equal(settings.plan, 'consumption');
    assert.equal(settings.location, 'northeurope');
    assert.equal(settings.spec, 'my-spec.yml');
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});
