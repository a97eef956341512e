// `apim-fn local ...` as a user types it: start detached, status, faults, log, stop, restart with state kept.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResourceManagementClient } from '@azure/arm-resources';
import { runCli } from '../helpers/cli.ts';
import { testCredential } from '../helpers/local-azure.ts';

const data = mkdtempSync(join(tmpdir(), 'apim-fn-e2e-local-'));
const env = { APIM_FN_LOCAL_DATA: data };
after(async () => {
  await runCli(['local', 'stop'], env);
  rmSync(data, { recursive: true, force: true });
});

async function statusJson() {
  const r = await runCli(['local', 'status', '--json'], env);
  return { ...r, body: JSON.parse(r.stdout) };
}

function client(status: any) {
  return new ResourceManagementClient(testCredential, status.subscriptionId, {
    endpoint: status.endpoint,
    tlsOptions: { ca: readFileSync(status.caCert, 'utf8') },
  } as any);
}

test('local start --detach, status, faults, log, stop, and state kept across a restart', async () => {
  const notRunning = await statusJson();
  assert.equal(notRunning.code, 1);
  assert.equal(notRunning.body.running, false);

  const started = await runCli(['local', 'start', '--detach', '--json'], env);
  assert.equal(started.code, 0, started.stderr);
  const s = (await statusJson()).body;
  for (const field of ['endpoint', 'caCert', 'dataDir', 'pid']) assert.ok(s[field], `status has ${field}`);
  assert.match(s.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(s.dataDir, data);

  const again = await runCli(['local', 'start', '--detach'], env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already runs/);

  const rm = client(s);
  await rm.resourceGroups.createOrUpdate('rg-kept', { location: 'eastus' });

  const fault = await runCli(['local', 'faults', 'add', '--method', 'GET', '--path', '**/resourcegroups/rg-kept', '--status', '500', '--count', '1'], env);
  assert.equal(fault.code, 0, fault.stderr);
  const noRetry = new ResourceManagementClient(testCredential, s.subscriptionId, { endpoint: s.endpoint, tlsOptions: { ca: readFileSync(s.caCert, 'utf8') }, retryOptions: { maxRetries: 0 } } as any);
  await assert.rejects(noRetry.resourceGroups.get('rg-kept'), { statusCode: 500 });
  assert.equal((await noRetry.resourceGroups.get('rg-kept')).name, 'rg-kept');

  const log = JSON.parse((await runCli(['local', 'log', '--json', '--writes'], env)).stdout);
  assert.deepEqual(
    log.requests.map((r: any) => `${r.method} ${r.status}`),
    ['PUT 201'],
  );
  const all = JSON.parse((await runCli(['local', 'log', '--json'], env)).stdout);
  assert.ok(all.requests.some((r: any) => r.fault === 'status 500'));

  assert.equal((await runCli(['local', 'stop'], env)).code, 0);
  assert.equal((await statusJson()).code, 1);

  assert.equal((await runCli(['local', 'start', '--detach'], env)).code, 0);
  const s2 = (await statusJson()).body;
  assert.equal(s2.subscriptionId, s.subscriptionId);
  assert.equal((await client(s2).resourceGroups.get('rg-kept')).location, 'eastus');
  assert.equal(s2.resources['Microsoft.Resources/resourceGroups'], 1);

  const reset = await runCli(['local', 'reset'], env);
  assert.equal(reset.code, 2, 'reset without --yes off a TTY is a usage error');
  assert.equal((await runCli(['local', 'reset', '--yes'], env)).code, 0);
  assert.deepEqual((await statusJson()).body.resources, {});
});

test('usage errors exit 2 and touch nothing', async () => {
  for (const args of [['local', 'start', '--port', '99999'], ['local', 'faults', 'add', '--path', '**'], ['local', 'nope'], ['--nope']]) {
    const r = await runCli(args, env);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /error/);
  }
  const help = await runCli(['local', 'faults', 'add', '--help'], env);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:/);
  assert.match((await runCli(['--version'], env)).stdout, /^\d+\.\d+\.\d+/);
});
