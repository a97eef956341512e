// The npm tarball alone is enough: `npm pack`, install it into an empty dir, run its --help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } });

test('npm pack ships bin, dist, the template and the spec, and runs from the tarball', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apim-fn-pack-'));
  try {
    // --ignore-scripts: the test suite already built dist/.
    const [info] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root));
    const files = info.files.map((f: any) => f.path) as string[];
    for (const f of ['bin/apim-fn', 'dist/cli.js', 'dist/local/daemon.js', 'api-spec.yml', 'templates/function/package.json', 'templates/function/host.json']) {
      assert.ok(files.includes(f), `tarball has ${f}`);
    }
    assert.ok(!files.some((f) => f.includes('node_modules/') || f.startsWith('test/') || f.startsWith('src/')), 'no node_modules, tests or sources');
    npm(['init', '-y'], dir);
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, info.filename)], dir);
    const help = execFileSync(join(dir, 'node_modules', '.bin', 'apim-fn'), ['--help'], { encoding: 'utf8' });
    assert.match(help, /Usage: apim-fn/);
    assert.match(help, /\bup\b/);
    assert.match(help, /\blocal\b/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
