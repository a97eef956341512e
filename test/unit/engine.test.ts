import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffFields } from '../../src/engine/diff.ts';
import { runGraph } from '../../src/engine/graph.ts';
import { deriveNames } from '../../src/model/names.ts';

test('diffFields compares only what is desired', () => {
  const cases: Array<[string, unknown, unknown, string[], Parameters<typeof diffFields>[2]?]> = [
    ['server defaults ignored', { sku: { name: 'Standard_LRS' } }, { sku: { name: 'Standard_LRS', tier: 'Standard' }, etag: 'x' }, []],
    ['changed leaf', { properties: { minimumTlsVersion: 'TLS1_2' } }, { properties: { minimumTlsVersion: 'TLS1_0' } }, ['properties.minimumTlsVersion']],
    ['missing object', { tags: { a: '1' } }, {}, ['tags']],
    ['location case', { location: 'West Europe' }, { location: 'west europe' }, [], { caseInsensitive: ['location'] }],
    ['property name case', { properties: { WorkspaceResourceId: '/x' } }, { properties: { workspaceResourceId: '/x' } }, []],
    ['keyed array same set', { s: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }, { s: [{ name: 'b', value: '2' }, { name: 'a', value: '1' }] }, [], { keyedArrays: { s: 'name' } }],
    ['keyed array changed', { s: [{ name: 'A', value: '1' }] }, { s: [{ name: 'A', value: '9' }] }, ['s'], { keyedArrays: { s: 'name' } }],
    ['plain array order matters', { a: [1, 2] }, { a: [2, 1] }, ['a']],
    ['boolean vs missing', { properties: { httpsOnly: true } }, { properties: {} }, ['properties.httpsOnly']],
  ];
  for (const [name, d, o, expected, opts] of cases) assert.deepEqual(diffFields(d, o, opts), expected, name);
});

test('runGraph runs independent tasks concurrently and respects dependencies', async () => {
  const log: string[] = [];
  const task = (key: string, dependsOn: string[], ms: number) => ({
    key,
    dependsOn,
    run: async () => {
      log.push(`start ${key}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${key}`);
    },
  });
  const result = await runGraph([task('rg', [], 5), task('apim', ['rg'], 30), task('st', ['rg'], 5), task('app', ['st'], 5)], {});
  assert.deepEqual(result.failed, []);
  assert.ok(log.indexOf('start apim') < log.indexOf('end st'), 'apim and storage overlap');
  assert.ok(log.indexOf('start app') > log.indexOf('end st'));
  assert.ok(log.indexOf('start app') < log.indexOf('end apim'), 'app does not wait for apim');
});

test('runGraph stops starting tasks after a failure and reports skipped ones', async () => {
  const result = await runGraph(
    [
      { key: 'a', dependsOn: [], run: async () => { throw new Error('boom'); } },
      { key: 'b', dependsOn: ['a'], run: async () => {} },
    ],
    {},
  );
  assert.equal(result.failed[0].key, 'a');
  assert.deepEqual(result.skipped, ['b']);
  await assert.rejects(runGraph([{ key: 'a', dependsOn: ['a'], run: async () => {} }], {}), /cycle/);
});

test('names derive from the collection and are checked before any request', () => {
  const n = deriveNames('demo');
  assert.equal(n.resourceGroup, 'rg-demo');
  assert.equal(n.functionApp, 'fa-demo-func');
  assert.equal(n.apim, 'apim-demo');
  assert.match(n.storageAccount, /^stdemo[0-9a-f]{6}$/);
  assert.equal(deriveNames('demo').storageAccount, n.storageAccount, 'stable');
  assert.notEqual(deriveNames('demo', {}, 'other-sub').storageAccount, n.storageAccount);
  assert.equal(deriveNames('a-very-long-collection-name-for-tests').storageAccount.length <= 24, true);
  for (const bad of ['Demo', '-x', 'x-', 'a--b', '1abc', '', 'x'.repeat(46), 'with space']) {
    assert.throws(() => deriveNames(bad), (e: any) => e.exitCode === 2 && /invalid --name/.test(e.message), bad);
  }
  assert.throws(() => deriveNames('demo', { storageAccount: 'Bad_Name' }), /--storage-account/);
  assert.equal(deriveNames('demo', { apim: 'my-apim' }).apim, 'my-apim');
});
