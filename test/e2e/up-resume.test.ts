// Ctrl-C in the middle of `up`: exit 130; the next `up` waits for what is still provisioning (no second
// PUT of the APIM service) and finishes the job; the one after sends zero writes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, BIN } from '../helpers/cli.ts';

const data = mkdtempSync(join(tmpdir(), 'apim-fn-resume-data-'));
const cwd = mkdtempSync(join(tmpdir(), 'apim-fn-resume-proj-'));
const env = { APIM_FN_LOCAL_DATA: data, APIM_FN_CACHE: join(data, 'cache') };
const cli = (...args: string[]) => runCli(args, env, undefined, cwd);
after(async () => {
  await cli('local', 'stop');
  rmSync(data, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

test('interrupted up resumes without duplicates', { timeout: 180_000 }, async () => {
  copyFileSync(new URL('../../api-spec.yml', import.meta.url), join(cwd, 'api-spec.yml'));
  // APIM activation takes 150 s x 0.03 = 4.5 s here: long enough to interrupt it.
  assert.equal((await cli('local', 'start', '--detach', '--latency', 'realistic', '--time-scale', '0.03')).code, 0);

  const child = spawn(process.execPath, [BIN, 'up', '--local', '--name', 'resume', '--no-deploy'], { cwd, env: { ...process.env, ...env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // The APIM PUT goes out as soon as the resource group exists; interrupt while it activates.
  await new Promise<void>((resolve) => {
    child.stderr.on('data', () => {
      if (/resource group rg-resume \(created\)/.test(stderr)) setTimeout(resolve, 500);
    });
  });
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted: .*run 'apim-fn up' again/);

  const resumed = await cli('up', '--local', '--name', 'resume', '--no-deploy');
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /waiting for API Management apim-resume .*still provisioning/);
  const log = JSON.parse((await cli('local', 'log', '--json', '--writes')).stdout).requests as any[];
  const apimPuts = log.filter((r) => r.method === 'PUT' && /\/service\/apim-resume$/i.test(r.path));
  assert.equal(apimPuts.length, 1, 'the APIM service was PUT once: the resumed run waited for it');
  const seq = JSON.parse((await cli('local', 'log', '--json')).stdout).lastSeq;
  assert.equal((await cli('up', '--no-deploy')).code, 0);
  const writes = JSON.parse((await cli('local', 'log', '--json', '--writes', '--since', String(seq))).stdout).requests;
  assert.deepEqual(writes, [], 'converged');
});
