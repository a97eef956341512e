import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultInjector, globToRegExp, validateFaultRule } from '../../src/local/faults.ts';
import { Throttle } from '../../src/local/throttle.ts';
import { Router } from '../../src/local/http/router.ts';

test('fault path globs: * stays in a segment, ** crosses, ~ is a regex, case-insensitive', () => {
  const cases: Array<[string, string, boolean]> = [
    ['**/storageAccounts/*', '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageaccounts/acct', true],
    ['**/storageAccounts/*', '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct/listKeys', false],
    ['/subscriptions/*/resourcegroups/*', '/subscriptions/s/resourceGroups/rg', true],
    ['/subscriptions/*/resourcegroups/*', '/subscriptions/s/resourceGroups/rg/providers/x', false],
    ['~/service/[^/]+$', '/a/service/apim-x', true],
  ];
  for (const [glob, path, expected] of cases) assert.equal(globToRegExp(glob).test(path), expected, `${glob} vs ${path}`);
});

test('fault rules fire for the next N matches, or a fraction, then stop', () => {
  let r = 0;
  const seq = [0.1, 0.9, 0.2, 0.8];
  const f = new FaultInjector(() => seq[r++ % seq.length]);
  f.add({ method: 'PUT', path: '/a/*', action: { type: 'status', status: 429, retryAfter: 0 }, count: 2 });
  assert.equal(f.match('GET', '/a/x').length, 0, 'method must match');
  assert.equal(f.match('PUT', '/a/x').length, 1);
  assert.equal(f.match('put', '/a/y').length, 1);
  assert.equal(f.match('PUT', '/a/z').length, 0, 'spent after two');
  f.add({ path: '/b', action: { type: 'drop' }, fraction: 0.5 });
  const fired = [0, 1, 2, 3].map(() => f.match('GET', '/b').length);
  assert.deepEqual(fired, [1, 0, 1, 0]);
  assert.equal(f.list().length, 1, 'fraction rules without count stay');
  f.clear();
  assert.equal(f.list().length, 0);
});

test('fault rule validation names the problem', () => {
  assert.match(validateFaultRule({ path: '', action: { type: 'drop' } })!, /path/);
  assert.match(validateFaultRule({ path: '/x', action: { type: 'status', status: 200 } as any })!, /status/);
  assert.match(validateFaultRule({ path: '/x', action: { type: 'boom' } as any })!, /action.type/);
  assert.match(validateFaultRule({ path: '/x', action: { type: 'drop' }, fraction: 2 })!, /fraction/);
  assert.equal(validateFaultRule({ path: '/x', action: { type: 'lro-failed' }, count: 3 }), undefined);
});

test('ARM token buckets: 200 writes then 429 with a retry time; refills at 10/s', () => {
  const t = new Throttle(true);
  const now = 1_000_000;
  for (let i = 0; i < 200; i++) assert.ok(t.take('sub', 'writes', now).ok);
  const denied = t.take('sub', 'writes', now);
  assert.equal(denied.ok, false);
  assert.ok(!denied.ok && denied.retryAfter >= 1);
  assert.ok(t.take('sub', 'reads', now).ok, 'reads have their own bucket');
  assert.ok(t.take('other', 'writes', now).ok, 'per subscription');
  assert.ok(t.take('sub', 'writes', now + 1000).ok, 'refilled after a second');
  const off = new Throttle(false);
  for (let i = 0; i < 500; i++) assert.ok(off.take('sub', 'writes', now).ok);
});

test('router: literal segments case-insensitive, most specific template first, params decoded', () => {
  const r = new Router();
  const h = () => ({ status: 200 });
  r.add({ method: 'GET', template: '/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}', apiVersions: [], resourceType: 'generic', handler: h });
  r.add({ method: 'GET', template: '/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name}', apiVersions: [], resourceType: 'storage', handler: h });
  const m = r.match('/SUBSCRIPTIONS/abc/resourcegroups/my%20rg/providers/microsoft.storage/STORAGEACCOUNTS/acct');
  assert.equal(m[0].route.resourceType, 'storage');
  assert.deepEqual(m[0].params, { s: 'abc', rg: 'my rg', name: 'acct' });
  assert.equal(m.length, 2);
  assert.equal(r.match('/subscriptions/abc').length, 0);
});
