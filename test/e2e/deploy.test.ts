// `apim-fn init`, `up --local` and `deploy` as a user types them: the scaffolded function project is built,
// deployed through the local Azure's SCM site (One Deploy), listed by ARM and served by the function host;
// a second deploy with no change uploads nothing and sends no ARM write.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpsGet as get } from '../helpers/https-get.ts';
import { runCli } from '../helpers/cli.ts';
import { testCredential } from '../helpers/local-azure.ts';
import { WebSiteManagementClient } from '@azure/arm-appservice';

const data = mkdtempSync(join(tmpdir(), 'apim-fn-e2e-deploy-data-'));
const cwd = mkdtempSync(join(tmpdir(), 'apim-fn-e2e-deploy-proj-'));
const env = { APIM_FN_LOCAL_DATA: data };
const cli = (...args: string[]) => runCli(args, env, undefined, cwd);

after(async () => {
  await cli('local', 'stop');
  rmSync(data, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

async function writesSince(seq: number): Promise<any[]> {
  return JSON.parse((await cli('local', 'log', '--json', '--writes', '--since', String(seq))).stdout).requests;
}
const lastSeq = async (): Promise<number> => JSON.parse((await cli('local', 'log', '--json')).stdout).lastSeq;


test('deploy without a stack says to run up first, before anything is started', async () => {
  const r = await cli('deploy');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: no \.apim-fn\.json in .*: run 'apim-fn up' first/m);
});

test('init, up --local, deploy: the functions are listed and served; an unchanged deploy sends nothing', { timeout: 240_000 }, async () => {
  const init = await cli('init');
  assert.equal(init.code, 0, init.stderr);
  const up = await cli('up', '--local', '--name', 'dpl', '--json');
  assert.equal(up.code, 0, up.stderr);

  const first = await cli('deploy', '--json');
  assert.equal(first.code, 0, first.stderr);
  const r1 = JSON.parse(first.stdout);
  assert.equal(r1.plan, 'flex');
  assert.match(r1.sha256, /^[0-9a-f]{64}$/);
  assert.ok(r1.bytes > 10_000 && r1.files > 10, `package size reported: ${r1.bytes} bytes, ${r1.files} files`);
  for (const fn of ['getter', 'poster', 'health', 'openapi', 'docs', 'docsAsset']) assert.ok(r1.functions.includes(fn), `${fn} listed`);
  assert.doesNotMatch(first.stdout + first.stderr, /AccountKey=|sig=[^*]|Bearer [^*]/, 'no secrets printed');

  const status = JSON.parse((await cli('local', 'status', '--json')).stdout);
  const ca = readFileSync(status.caCert, 'utf8');
  const web = new WebSiteManagementClient(testCredential, status.subscriptionId, { endpoint: status.endpoint, tlsOptions: { ca } } as any);
  const settings = (await web.webApps.listApplicationSettings('rg-dpl', 'fa-dpl-func')).properties!;
  assert.equal(settings.APIM_FN_PACKAGE_SHA256, r1.sha256, 'the deployed hash is recorded');
  assert.ok(settings.APPLICATIONINSIGHTS_CONNECTION_STRING, "up's settings are kept");
  const listed: string[] = [];
  for await (const f of web.webApps.listFunctions('rg-dpl', 'fa-dpl-func')) listed.push(f.name!.split('/').pop()!);
  assert.ok(listed.includes('getter'), `ARM lists the functions: ${listed}`);

  const site = await web.webApps.get('rg-dpl', 'fa-dpl-func');
  const key = (await web.webApps.listHostKeys('rg-dpl', 'fa-dpl-func')).functionKeys!['apim-apim-dpl'];
  const health = await get(`https://${site.defaultHostName}/api/health`, ca, { 'x-functions-key': key });
  assert.equal(health.status, 200, health.body);
  assert.deepEqual(JSON.parse(health.body), { status: 'ok' });

  let seq = await lastSeq();
  const second = await cli('deploy', '--json');
  assert.equal(second.code, 0, second.stderr);
  const r2 = JSON.parse(second.stdout);
  assert.equal(r2.uploaded, false);
  assert.equal(r2.sha256, r1.sha256, 'same sources, same package');
  assert.deepEqual((await writesSince(seq)).map((w) => `${w.method} ${w.path}`), [], 'an unchanged deploy sends no ARM write');

  // A changed source is built, uploaded and served.
  const getter = join(cwd, 'function/src/functions/health.ts');
  writeFileSync(getter, readFileSync(getter, 'utf8').replace("status: 'ok'", "status: 'ok', version: 2"));
  seq = await lastSeq();
  const third = await cli('deploy');
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stdout, /^Deployed .* to fa-dpl-func \(Flex Consumption\) in [\d.]+s; functions: /m);
  const writes = (await writesSince(seq)).map((w) => `${w.method} ${w.path.split('?')[0]}`);
  assert.equal(writes.length, 1, `only the hash is written through ARM: ${writes}`);
  assert.match(writes[0], /^PUT \/subscriptions\/[^/]+\/resourcegroups\/rg-dpl\/providers\/Microsoft\.Web\/sites\/fa-dpl-func\/config\/appsettings$/i);
  const v2 = await get(`https://${site.defaultHostName}/api/health`, ca, { 'x-functions-key': key });
  assert.equal(JSON.parse(v2.body).version, 2, v2.body);
});

test('Linux Consumption: deploy runs from a package in function-releases (SAS URL in WEBSITE_RUN_FROM_PACKAGE, never printed)', { timeout: 240_000 }, async () => {
  // A second stack in its own directory, deploying the project scaffolded above (--dir).
  const cwd2 = mkdtempSync(join(tmpdir(), 'apim-fn-e2e-deploy-y1-'));
  const cli2 = (...args: string[]) => runCli(args, env, undefined, cwd2);
  try {
    writeFileSync(join(cwd2, 'api-spec.yml'), readFileSync(join(cwd, 'api-spec.yml')));
    const up = await cli2('up', '--local', '--name', 'dply', '--plan', 'consumption');
    assert.equal(up.code, 0, up.stderr);
    const r = await cli2('deploy', '--dir', join(cwd, 'function'), '--json', '--verbose');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.plan, 'consumption');
    assert.match(out.blobName, new RegExp(`^\\d{14}-${out.sha256}\\.zip$`));
    assert.doesNotMatch(r.stdout + r.stderr, /sig=[^*&\s]|AccountKey=[^*;\s]/, 'SAS and account key masked');

    const status = JSON.parse((await cli2('local', 'status', '--json')).stdout);
    const ca = readFileSync(status.caCert, 'utf8');
    const web = new WebSiteManagementClient(testCredential, status.subscriptionId, { endpoint: status.endpoint, tlsOptions: { ca } } as any);
    const settings = (await web.webApps.listApplicationSettings('rg-dply', 'fa-dply-func')).properties!;
    assert.match(settings.WEBSITE_RUN_FROM_PACKAGE, new RegExp(`/function-releases/${out.blobName}\\?.*sp=r.*&sig=`));
    assert.equal(settings.APIM_FN_PACKAGE_SHA256, out.sha256);
    assert.ok(settings.AzureWebJobsStorage, "up's settings are kept");
    const site = await web.webApps.get('rg-dply', 'fa-dply-func');
    const key = (await web.webApps.listHostKeys('rg-dply', 'fa-dply-func')).functionKeys!['apim-apim-dply'];
    const health = await get(`https://${site.defaultHostName}/api/health`, ca, { 'x-functions-key': key });
    assert.equal(health.status, 200, health.body);
  } finally {
    rmSync(cwd2, { recursive: true, force: true });
  }
});
