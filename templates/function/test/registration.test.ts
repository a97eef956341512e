// What the host will register: names, routes, methods and auth level of every function. In test mode
// `app.http` only warns that it skips registration, which tells us which names were registered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

test('every function is registered with its route, method and function-level auth', () => {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
  const exported: Record<string, any> = {};
  try {
    const dir = path.join(__dirname, '..', 'src', 'functions');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) Object.assign(exported, require(path.join(dir, file)));
  } finally {
    console.warn = warn;
  }

  const registered = warnings.map((w) => /register function "([^"]+)"/.exec(w)?.[1]).filter(Boolean).sort();
  assert.deepEqual(registered, ['docs', 'docsAsset', 'getter', 'health', 'openapi', 'poster']);

  const options = Object.entries(exported).filter(([name]) => name.endsWith('Function'));
  const routes = Object.fromEntries(options.map(([, o]) => [o.route, o.methods.join()]));
  assert.deepEqual(routes, {
    getter: 'GET',
    poster: 'POST',
    health: 'GET',
    'openapi.json': 'GET',
    docs: 'GET',
    'docs/{asset}': 'GET',
  });
  for (const [name, o] of options) {
    assert.equal(o.authLevel, 'function', name);
    assert.equal(typeof o.handler, 'function', name);
  }
});

test('host.json uses the v4 extension bundle and the api route prefix', () => {
  const host = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'host.json'), 'utf8'));
  assert.equal(host.version, '2.0');
  assert.deepEqual(host.extensionBundle, { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' });
  assert.equal(host.extensions.http.routePrefix, 'api');
});

test('package.json points the worker at the compiled functions', () => {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  assert.equal(pkg.main, 'dist/src/functions/*.js');
  assert.match(pkg.dependencies['@azure/functions'], /^\^4\./);
});
