// Runs the function template's own test suite (templates/function: `npm test` = tsc + node --test on
// the compiled tests), so a change that breaks the project `apim-fn` deploys fails this repo's CI.
// Its dependencies are installed with `npm ci` only when missing or older than its lockfile: a few
// seconds from the npm cache, once per fresh clone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../templates/function/', import.meta.url));

// The parent runner marks its children through NODE_TEST_CONTEXT; a nested `node --test` that
// inherits it reports in the runner's binary protocol instead of TAP, so drop it.
const { NODE_TEST_CONTEXT: _ignored, ...env } = process.env;

function npm(args: string[]) {
  const run = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, output: `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}` };
}

function installed(): boolean {
  const marker = `${dir}node_modules/.package-lock.json`;
  return existsSync(marker) && statSync(marker).mtimeMs >= statSync(`${dir}package-lock.json`).mtimeMs;
}

test('the function template builds and its own tests pass', { timeout: 180_000 }, () => {
  if (!installed()) {
    const ci = npm(['ci']);
    assert.equal(ci.status, 0, `npm ci in templates/function failed:\n${ci.output}`);
  }
  const run = npm(['test']);
  assert.equal(run.status, 0, `templates/function tests failed:\n${run.output}`);
  const pass = Number(/^# pass (\d+)$/m.exec(run.output)?.[1] ?? 0);
  const fail = Number(/^# fail (\d+)$/m.exec(run.output)?.[1] ?? -1);
  assert.equal(fail, 0, run.output);
  assert.ok(pass >= 15, `expected the template's suite to run, saw ${pass} passing tests:\n${run.output}`);
});
