// deployCode end to end over stub ARM clients and a scripted SCM site: what it sends per plan, that the
// hash is recorded only after the functions are listed, that an unchanged package sends no upload and no
// ARM write, and that secrets stay out of events and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployCode, PACKAGE_SHA_SETTING } from '../../src/deploy/index.ts';
import type { AzureClients } from '../../src/azure/clients.ts';
import type { EngineEvent } from '../../src/engine/types.ts';
import type { HttpClient } from '../../src/deploy/http.ts';
import type { PackageUploader } from '../../src/deploy/run-from-package.ts';
import { makeFixture } from './deploy-fixtures.ts';

const fast = { intervalMs: 1, warmupMs: 300, rbacMs: 300, deployMs: 500 };
const KEY = 'c2VjcmV0LWFjY291bnQta2V5LXZhbHVl';

function stubArm(opts: { sku: string; settings: Record<string, string>; functionsAfter?: number; syncStatus?: number }) {
  const writes: Array<{ op: string; body?: any }> = [];
  let settings = { ...opts.settings };
  let listCalls = 0;
  const site = {
    name: 'fa-x-func',
    sku: opts.sku,
    kind: 'functionapp,linux',
    defaultHostName: '127.0.0.1:7000',
    hostNameSslStates: [
      { name: '127.0.0.1:7000', hostType: 'Standard' },
      { name: '127.0.0.1:7001', hostType: 'Repository' },
    ],
  };
  const webApps = {
    get: async () => site,
    listApplicationSettings: async () => ({ properties: { ...settings } }),
    updateApplicationSettings: async (_rg: string, _app: string, body: any) => {
      writes.push({ op: 'appsettings', body: body.properties });
      settings = { ...body.properties };
      return { properties: settings };
    },
    syncFunctions: async () => {
      writes.push({ op: 'sync' });
      if (opts.syncStatus === 200) throw Object.assign(new Error('Unexpected status code: 200'), { name: 'RestError', statusCode: 200 });
    },
    listFunctions: (_rg: string, _app: string) => {
      listCalls++;
      const names = listCalls > (opts.functionsAfter ?? 0) ? ['hello', 'greet', 'nightly'] : [];
      return (async function* () {
        for (const n of names) yield { name: `fa-x-func/${n}` };
      })();
    },
  };
  const clients = {
    target: { kind: 'local', endpoint: 'https://127.0.0.1:1', subscriptionId: '00000000-0000-0000-0000-000000000000', credential: { getToken: async () => ({ token: 'arm-token-abcdefgh', expiresOnTimestamp: 0 }) } },
    poll: {},
    web: async () => ({ webApps }),
  } as unknown as AzureClients;
  return { clients, writes, settings: () => settings, listCalls: () => listCalls };
}

function okScm() {
  const posts: string[] = [];
  const http: HttpClient = async (url, o) => {
    const u = new URL(url);
    if (o.method === 'POST') {
      posts.push(u.host + u.pathname);
      return { status: 202, headers: { 'scm-deployment-id': 'd1' }, text: '' };
    }
    return { status: 200, headers: {}, text: JSON.stringify({ id: 'd1', status: 4 }) };
  };
  return { http, posts };
}

test('Flex: One Deploy to the Repository host, functions listed, then the hash recorded (other settings kept); a second run sends nothing', async () => {
  const f = makeFixture();
  try {
    const arm = stubArm({ sku: 'FlexConsumption', settings: { USER_SETTING: 'keep me' }, functionsAfter: 2 });
    const scm = okScm();
    const events: EngineEvent[] = [];
    const r = await deployCode({ clients: arm.clients, resourceGroup: 'rg-x', functionApp: 'fa-x-func', dir: f.dir, http: scm.http, timing: fast, events: (e) => events.push(e) });
    assert.equal(r.uploaded, true);
    assert.equal(r.plan, 'flex');
    assert.equal(r.deploymentId, 'd1');
    assert.deepEqual(r.functions, ['greet', 'hello', 'nightly']);
    assert.deepEqual(scm.posts, ['127.0.0.1:7001/api/publish']);
    assert.ok(arm.listCalls() >= 3, 'waited until the host listed the functions');
    assert.deepEqual(arm.writes, [{ op: 'appsettings', body: { USER_SETTING: 'keep me', [PACKAGE_SHA_SETTING]: r.sha256 } }], 'one ARM write, after the deploy');
    assert.deepEqual(events.filter((e) => e.type === 'step-done').map((e) => (e as any).key), ['code-package', 'code-upload']);

    const again = await deployCode({ clients: arm.clients, resourceGroup: 'rg-x', functionApp: 'fa-x-func', dir: f.dir, http: scm.http, timing: fast });
    assert.equal(again.uploaded, false);
    assert.equal(again.sha256, r.sha256);
    assert.equal(scm.posts.length, 1, 'no upload');
    assert.equal(arm.writes.length, 1, 'no ARM write');

    f.write('src/functions/hello.ts', "app.http('hello', { handler: async () => ({ body: 'v2' }) });\n");
    const changed = await deployCode({ clients: arm.clients, resourceGroup: 'rg-x', functionApp: 'fa-x-func', dir: f.dir, http: scm.http, timing: fast });
    assert.equal(changed.uploaded, true);
    assert.equal(changed.reason, 'the package changed');
    assert.equal(arm.settings()[PACKAGE_SHA_SETTING], changed.sha256);
  } finally {
    f.cleanup();
  }
});

test('Flex: a failed deployment records no hash, so the next run deploys again', async () => {
  const f = makeFixture();
  try {
    const arm = stubArm({ sku: 'FlexConsumption', settings: {} });
    const http: HttpClient = async (url, o) =>
      o.method === 'POST'
        ? { status: 202, headers: { 'scm-deployment-id': 'd1' }, text: '' }
        : url.endsWith('/log')
          ? { status: 200, headers: {}, text: '[{"message":"Package deployment failed","type":2}]' }
          : { status: 200, headers: {}, text: '{"id":"d1","status":3}' };
    await assert.rejects(deployCode({ clients: arm.clients, resourceGroup: 'rg-x', functionApp: 'fa-x-func', dir: f.dir, http, timing: fast }), /Package deployment failed/);
    assert.deepEqual(arm.writes, []);
  } finally {
    f.cleanup();
  }
});

test('Flex: functions that never show up fail the deploy (bounded) and record no hash', async () => {
  const f = makeFixture();
  try {
    const arm = stubArm({ sku: 'FlexConsumption', settings: {}, functionsAfter: 1e9 });
    await assert.rejects(deployCode({ clients: arm.clients, resourceGroup: 'rg-x', functionApp: 'fa-x-func', dir: f.dir, http: okScm().http, timing: fast }), /did not list greet, hello, nightly within 0s \(it lists none\)/);
    assert.deepEqual(arm.writes, []);
  } finally {
    f.cleanup();
  }
});

test('Linux Consumption: upload to function-releases, WEBSITE_RUN_FROM_PACKAGE merged, triggers synced (200 tolerated), hash last; keys and SAS never in events', async () => {
  const f = makeFixture();
  try {
    const cs = `DefaultEndpointsProtocol=https;AccountName=stx;AccountKey=${KEY};BlobEndpoint=https://127.0.0.1:10000/stx`;
    const arm = stubArm({ sku: 'Dynamic', settings: { AzureWebJobsStorage: cs, FUNCTIONS_WORKER_RUNTIME: 'node', WEBSITE_RUN_FROM_ZIP: 'old' }, syncStatus: 200 });
    const uploads: Array<{ sha: string; bytes: number; localOnly: boolean }> = [];
    const upload: PackageUploader = async (o) => {
      uploads.push({ sha: o.sha256, bytes: o.zip.length, localOnly: o.localOnly });
      return { url: `https://127.0.0.1:10000/stx/function-releases/b.zip?sv=2025-01-05&sp=r&sig=SASSIGNATUREVALUE`, blobName: 'b.zip' };
    };
    const events: EngineEvent[] = [];
    const r = await deployCode({ clients: arm.clients, resourceGroup: 'rg-x', functionApp: 'fa-x-func', dir: f.dir, upload, timing: fast, events: (e) => events.push(e) });
    assert.equal(r.plan, 'consumption');
    assert.equal(r.blobName, 'b.zip');
    assert.deepEqual(uploads, [{ sha: r.sha256, bytes: r.bytes, localOnly: true }]);
    assert.deepEqual(arm.writes.map((w) => w.op), ['appsettings', 'sync', 'appsettings']);
    const first = arm.writes[0].body;
    assert.match(first.WEBSITE_RUN_FROM_PACKAGE, /function-releases\/b\.zip\?.*sig=/);
    assert.equal(first.WEBSITE_MOUNT_ENABLED, '1');
    assert.equal(first.WEBSITE_RUN_FROM_ZIP, undefined);
    assert.equal(first.FUNCTIONS_WORKER_RUNTIME, 'node');
    assert.equal(first[PACKAGE_SHA_SETTING], undefined, 'the hash is not recorded before the functions are listed');
    assert.equal(arm.settings()[PACKAGE_SHA_SETTING], r.sha256);
    assert.doesNotMatch(JSON.stringify(events) + JSON.stringify(r), /SASSIGNATUREVALUE|c2VjcmV0/);

    const again = await deployCode({ clients: arm.clients, resourceGroup: 'rg-x', functionApp: 'fa-x-func', dir: f.dir, upload, timing: fast });
    assert.equal(again.uploaded, false);
    assert.equal(uploads.length, 1);
    assert.equal(arm.writes.length, 3);
  } finally {
    f.cleanup();
  }
});

test('errors from the upload are masked: account key and SAS signature never leave', async () => {
  const f = makeFixture();
  try {
    const cs = `DefaultEndpointsProtocol=https;AccountName=stx;AccountKey=${KEY}`;
    const arm = stubArm({ sku: 'Dynamic', settings: { AzureWebJobsStorage: cs } });
    const upload: PackageUploader = async () => {
      throw new Error(`PUT failed for ${cs} at https://stx.blob.core.windows.net/c/b.zip?sp=r&sig=LEAKEDSIG`);
    };
    await assert.rejects(deployCode({ clients: arm.clients, resourceGroup: 'rg-x', functionApp: 'fa-x-func', dir: f.dir, upload, timing: fast }), (e: Error) => {
      assert.doesNotMatch(e.message, new RegExp(`${KEY}|LEAKEDSIG`));
      assert.match(e.message, /PUT failed for \*\*\* at .*sig=\*\*\*/);
      return true;
    });
  } finally {
    f.cleanup();
  }
});

test('the local target refuses a blob endpoint on the internet instead of reaching out', async () => {
  const { uploadPackage } = await import('../../src/deploy/run-from-package.ts');
  const { Redactor } = await import('../../src/deploy/secrets.ts');
  await assert.rejects(
    uploadPackage({ connectionString: `DefaultEndpointsProtocol=https;AccountName=stx;AccountKey=${KEY};EndpointSuffix=core.windows.net`, zip: new Uint8Array(1), sha256: 'a', redactor: new Redactor(), localOnly: true }),
    /blob endpoint at https:\/\/stx\.blob\.core\.windows\.net, which the local Azure does not serve/,
  );
});

test('a missing function app fails before the build, saying to run up', async () => {
  const arm = stubArm({ sku: 'FlexConsumption', settings: {} });
  const web = await arm.clients.web();
  (web.webApps as any).get = async () => {
    throw Object.assign(new Error('not found'), { name: 'RestError', statusCode: 404, details: { error: { code: 'ResourceNotFound', message: 'gone' } } });
  };
  const events: EngineEvent[] = [];
  await assert.rejects(
    deployCode({ clients: arm.clients, resourceGroup: 'rg-x', functionApp: 'fa-x-func', dir: '/nonexistent', timing: fast, events: (e) => events.push(e) }),
    /function app fa-x-func was not found in resource group rg-x: run 'apim-fn up' first/,
  );
  assert.deepEqual(events, [], 'nothing was built');
});
