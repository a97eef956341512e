// `apim-fn init`: the layout it writes from the shipped template, and that it never overwrites anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planInit, scaffold, GITIGNORE } from '../../src/deploy/init.ts';
import { findProjectDir, resolveProjectDir, TEMPLATE_DIR, REFERENCE_SPEC } from '../../src/deploy/project.ts';
import { runCli } from '../helpers/cli.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'apim-fn-init-'));

test('the plan copies the template into function/ without builds, installs, local settings or its .gitignore', () => {
  const paths = planInit().map((f) => f.path);
  for (const p of ['function/host.json', 'function/package.json', 'function/package-lock.json', 'function/.funcignore', 'function/src/functions/getter.ts', 'function/scripts/copy-spec.mjs', 'function/local.settings.sample.json', 'api-spec.yml', '.gitignore']) {
    assert.ok(paths.includes(p), `${p} planned`);
  }
  assert.ok(!paths.some((p) => /^function\/(node_modules|dist)\//.test(p)), 'no node_modules or dist');
  assert.ok(!paths.includes('function/.gitignore') && !paths.includes('function/local.settings.json'));
  assert.equal(new Set(paths).size, paths.length);
});

test('scaffold writes the project; deploy finds function/ in it; the .gitignore keeps secrets and state out', () => {
  const dir = join(tmp(), 'my-api');
  try {
    const r = scaffold(dir);
    assert.equal(r.dir, dir);
    assert.equal(readFileSync(join(dir, 'api-spec.yml'), 'utf8'), readFileSync(REFERENCE_SPEC, 'utf8'));
    assert.equal(readFileSync(join(dir, 'function/host.json'), 'utf8'), readFileSync(join(TEMPLATE_DIR, 'host.json'), 'utf8'));
    const gi = readFileSync(join(dir, '.gitignore'), 'utf8');
    assert.equal(gi, GITIGNORE);
    for (const line of ['node_modules/', 'dist/', 'local.settings.json', '.apim-fn.json']) assert.ok(gi.split('\n').includes(line), line);
    assert.equal(findProjectDir(dir), join(dir, 'function'));
    assert.equal(resolveProjectDir(dir), join(dir, 'function'));
    assert.equal(resolveProjectDir('/', join(dir, 'function')), join(dir, 'function'));
    assert.throws(() => resolveProjectDir(dir, 'nope'), /--dir nope: no such directory/);
    assert.throws(() => resolveProjectDir(join(dir, 'function'), 'src'), /not a function project/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an existing file is a conflict: init lists it, exits 1 and writes nothing', async () => {
  const dir = tmp();
  try {
    mkdirSync(join(dir, 'function'));
    writeFileSync(join(dir, 'function/host.json'), '{"mine":true}');
    writeFileSync(join(dir, '.gitignore'), 'mine\n');
    writeFileSync(join(dir, 'notes.txt'), 'unrelated files are fine');
    const r = await runCli(['init', dir]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: not overwriting existing files in .*: function\/host\.json, \.gitignore; nothing was written/m);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    assert.deepEqual(readdirSync(dir).sort(), ['.gitignore', 'function', 'notes.txt']);
    assert.deepEqual(readdirSync(join(dir, 'function')), ['host.json']);
    assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), 'mine\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('apim-fn init <dir> from the CLI prints what it made and --json lists the files', async () => {
  const root = tmp();
  try {
    const r = await runCli(['init', 'proj'], {}, undefined, root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Created \d+ files in .*proj/);
    assert.match(r.stdout, /cd proj/);
    assert.ok(existsSync(join(root, 'proj/function/package.json')));
    const j = await runCli(['init', 'other', '--json'], {}, undefined, root);
    assert.equal(j.code, 0, j.stderr);
    assert.ok(JSON.parse(j.stdout).files.includes('function/host.json'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
