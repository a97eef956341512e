// Packaging: build, production dependencies only, .funcignore, and a zip whose bytes depend only on the files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildPackage, mainMatcher } from '../../src/deploy/package.ts';
import { deterministicZip, readZip } from '../../src/deploy/zip.ts';
import { makeFixture } from './deploy-fixtures.ts';

/** Central directory entries of a zip: name, DOS time/date, external attributes, extra-field length. */
function centralEntries(zip: Uint8Array) {
  const b = Buffer.from(zip);
  const eocd = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = b.readUInt16LE(eocd + 10);
  let at = b.readUInt32LE(eocd + 16);
  const out: Array<{ name: string; time: number; date: number; attrs: number; extra: number; os: number }> = [];
  for (let i = 0; i < count; i++) {
    assert.equal(b.readUInt32LE(at), 0x02014b50, 'central directory signature');
    const nameLen = b.readUInt16LE(at + 28);
    const extra = b.readUInt16LE(at + 30);
    const comment = b.readUInt16LE(at + 32);
    out.push({ name: b.toString('utf8', at + 46, at + 46 + nameLen), os: b[at + 5], time: b.readUInt16LE(at + 12), date: b.readUInt16LE(at + 14), attrs: b.readUInt32LE(at + 38), extra });
    at += 46 + nameLen + extra + comment;
  }
  return out;
}

test('the same project packages to the same bytes twice (after a clean rebuild), and a changed source changes the hash', async () => {
  const f = makeFixture();
  try {
    const a = await buildPackage({ dir: f.dir });
    const b = await buildPackage({ dir: f.dir });
    assert.equal(a.sha256, b.sha256);
    assert.ok(Buffer.from(a.zip).equals(Buffer.from(b.zip)), 'identical bytes');
    assert.equal(a.bytes, a.zip.length);
    assert.equal(a.files, a.entries.length);
    f.write('src/functions/hello.ts', "app.http('hello', { handler: async () => ({ body: 'hello again' }) });\n");
    const c = await buildPackage({ dir: f.dir });
    assert.notEqual(c.sha256, a.sha256);
    assert.deepEqual(c.functionNames, ['hello', 'nightly'], 'names follow the rebuilt code');
  } finally {
    f.cleanup();
  }
});

test('the package holds the built code and production dependencies; .funcignore, dev dependencies and local settings stay out', async () => {
  const f = makeFixture();
  try {
    const p = await buildPackage({ dir: f.dir });
    const { names, files } = readZip(p.zip);
    assert.deepEqual(names, p.entries, 'the zip lists exactly the reported entries, in sorted order');
    assert.deepEqual(names, [
      '.funcignore',
      'dist/src/functions/hello.js',
      'dist/src/functions/timer.js',
      'host.json',
      'node_modules/prod-dep/index.js',
      'node_modules/prod-dep/package.json',
      'package-lock.json',
      'package.json',
    ]);
    assert.equal(Buffer.from(files['node_modules/prod-dep/index.js']).toString(), 'module.exports = 42;\n');
    assert.ok(!names.some((n) => n.startsWith('node_modules/dev-dep/')), 'dev dependency pruned');
    assert.ok(!names.some((n) => n.endsWith('.map')), '*.map ignored');
    assert.ok(!names.includes('local.settings.json'), 'local settings never packaged');
    assert.ok(!names.some((n) => n.startsWith('src/') || n.startsWith('notes/')), 'anchored directory patterns');
    assert.ok(existsSync(join(f.dir, 'node_modules/dev-dep')), 'the project itself keeps its dev dependencies (only the staging copy is pruned)');
    assert.deepEqual(p.functionNames, ['greet', 'hello', 'nightly'], 'app.setup is not a function');
    assert.equal(p.usesFuncignore, true);
  } finally {
    f.cleanup();
  }
});

test('without a .funcignore the package is host.json, package.json, dist/ and production node_modules', async () => {
  const f = makeFixture({ funcignore: false });
  try {
    const p = await buildPackage({ dir: f.dir });
    assert.equal(p.usesFuncignore, false);
    assert.deepEqual(p.entries, [
      'dist/src/functions/hello.js',
      'dist/src/functions/hello.js.map',
      'dist/src/functions/timer.js',
      'dist/src/functions/timer.js.map',
      'host.json',
      'node_modules/prod-dep/index.js',
      'node_modules/prod-dep/index.js.map',
      'node_modules/prod-dep/package.json',
      'package.json',
    ]);
  } finally {
    f.cleanup();
  }
});

test('zip entries: fixed 1980-01-01 timestamp, Unix mode 0644/0755, no extra fields, sorted; same bytes in any time zone', () => {
  const input = [
    { path: 'b.js', data: Buffer.from('b') },
    { path: 'a/z.js', data: Buffer.from('z'), executable: true },
    { path: 'a/Y.js', data: Buffer.from('y') },
  ];
  const tz = process.env.TZ;
  try {
    process.env.TZ = 'UTC';
    const utc = deterministicZip(input);
    process.env.TZ = 'Pacific/Kiritimati'; // UTC+14: a DOS time from UTC getters would land on another day
    const far = deterministicZip(input);
    assert.ok(Buffer.from(utc).equals(Buffer.from(far)), 'time zone does not change the bytes');
    const entries = centralEntries(utc);
    assert.deepEqual(entries.map((e) => e.name), ['a/Y.js', 'a/z.js', 'b.js']);
    for (const e of entries) {
      assert.equal(e.date, (0 << 9) | (1 << 5) | 1, `${e.name}: 1980-01-01`);
      assert.equal(e.time, 0, `${e.name}: 00:00:00`);
      assert.equal(e.extra, 0, `${e.name}: no extra fields`);
      assert.equal(e.os, 3, `${e.name}: Unix attributes`);
      assert.equal(e.attrs >>> 16, e.name === 'a/z.js' ? 0o100755 : 0o100644, `${e.name}: mode`);
    }
    assert.throws(() => deterministicZip([...input, { path: 'b.js', data: Buffer.from('again') }]), /duplicate/);
  } finally {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  }
});

test('a project without host.json or package.json is refused with what is missing', async () => {
  const f = makeFixture();
  try {
    f.write('.funcignore', 'host.json\n');
    await assert.rejects(buildPackage({ dir: f.dir, skipBuild: true }), /host\.json is excluded from the package/);
    await assert.rejects(buildPackage({ dir: join(f.dir, 'notes') }), /no package\.json.*apim-fn init/);
  } finally {
    f.cleanup();
  }
});

test('a failing build fails the package with npm output', async () => {
  const f = makeFixture();
  try {
    f.write('build.mjs', "console.error('tsc: error TS2304: Cannot find name x'); process.exit(2);\n");
    await assert.rejects(buildPackage({ dir: f.dir }), (e: Error) => e.name === 'UserError' && /npm run build.*failed/.test(e.message) && /TS2304/.test(e.message));
  } finally {
    f.cleanup();
  }
});

test('main globs select the entry points scanned for function names', () => {
  const m = mainMatcher('dist/src/functions/*.js');
  assert.equal(m('dist/src/functions/a.js'), true);
  assert.equal(m('dist/src/functions/sub/a.js'), false);
  assert.equal(m('dist/src/lib/a.js'), false);
  const deep = mainMatcher('./dist/**/*.js');
  assert.equal(deep('dist/a.js'), true);
  assert.equal(deep('dist/x/y/a.js'), true);
  assert.equal(mainMatcher('dist/index.js')('dist/index.js'), true);
  assert.equal(mainMatcher(undefined)('dist/x.js'), true);
});
