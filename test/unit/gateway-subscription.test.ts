import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSubscription, parseScope, INVALID_KEY_MESSAGE, MISSING_KEY_MESSAGE } from '../../src/local/gateway/subscription-check.ts';
import { parseQuery } from '../../src/local/gateway/route.ts';
import type { HeaderMap } from '../../src/local/gateway/model.ts';
import { api, config, op, product, sub, SVC } from './gateway-fixtures.ts';

const echo = api('echo', 'echo', [op('get', 'GET', '/x')]);
const other = api('other', 'other', [op('get', 'GET', '/x')]);
const custom = api('custom', 'custom', [op('get', 'GET', '/x')], { subscriptionKeyParameterNames: { header: 'X-Api-Key', query: 'apikey' } });
const openApi = api('open', 'open', [op('get', 'GET', '/x')], { subscriptionRequired: false });
const cfg = config({
  apis: [echo, other, custom, openApi],
  products: [
    product('starter', ['echo', 'custom']),
    product('hidden', ['other'], { state: 'notPublished' }),
    product('open-product', ['open'], { subscriptionRequired: false }),
  ],
  subscriptions: [
    sub('api-echo', `${SVC}/apis/echo`, 'k-api'),
    sub('api-echo-short', '/apis/echo', 'k-api-short'),
    sub('all-apis', `${SVC}/apis`, 'k-all'),
    sub('master', SVC, 'k-master'),
    sub('prod-starter', `${SVC}/products/starter`, 'k-starter'),
    sub('prod-hidden', '/products/hidden', 'k-hidden'),
    sub('prod-open', '/products/open-product', 'k-open'),
    sub('suspended', `${SVC}/apis`, 'k-suspended', 'suspended'),
    sub('submitted', `${SVC}/apis`, 'k-submitted', 'submitted'),
    sub('cancelled', `${SVC}/apis`, 'k-cancelled', 'cancelled'),
    sub('api-other', '/apis/other', 'k-other'),
    sub('api-custom', '/apis/custom', 'k-custom'),
  ],
});

const headers = (o: Record<string, string>): HeaderMap => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), [v]]));

test('parseScope understands full ids, short forms and the service (all-access) scope', () => {
  assert.deepEqual(parseScope(`${SVC}/apis/echo`), { kind: 'api', api: 'echo' });
  assert.deepEqual(parseScope('/apis/echo'), { kind: 'api', api: 'echo' });
  assert.deepEqual(parseScope(`${SVC}/apis`), { kind: 'allApis' });
  assert.deepEqual(parseScope('/apis'), { kind: 'allApis' });
  assert.deepEqual(parseScope(`${SVC}/products/starter`), { kind: 'product', product: 'starter' });
  assert.deepEqual(parseScope(SVC), { kind: 'service' });
  assert.deepEqual(parseScope(`${SVC}/`), { kind: 'service' });
  assert.deepEqual(parseScope('/users/u1'), { kind: 'unknown' });
});

test('subscription keys are checked per scope, state and product membership', () => {
  // [api, key (header), expected: subscription name | 'invalid', product context]
  const cases: Array<[typeof echo, string, string, string | undefined]> = [
    [echo, 'k-api', 'api-echo', undefined],
    [echo, 'k-api-2', 'api-echo', undefined], // secondary key
    [echo, 'k-api-short', 'api-echo-short', undefined],
    [echo, 'k-all', 'all-apis', undefined],
    [echo, 'k-master', 'master', undefined],
    [echo, 'k-starter', 'prod-starter', 'starter'],
    [other, 'k-hidden', 'prod-hidden', 'hidden'], // an unpublished product's keys still work
    [other, 'k-api', 'invalid', undefined], // scoped to another API
    [other, 'k-starter', 'invalid', undefined], // product without this API
    [echo, 'k-suspended', 'invalid', undefined],
    [echo, 'k-submitted', 'invalid', undefined],
    [echo, 'k-cancelled', 'invalid', undefined],
    [echo, 'nope', 'invalid', undefined],
    [openApi, 'nope', 'invalid', undefined], // a wrong key is refused even where no key is required
    [openApi, 'k-open', 'prod-open', 'open-product'],
  ];
  for (const [a, key, expected, productName] of cases) {
    const r = checkSubscription(cfg, a, headers({ 'Ocp-Apim-Subscription-Key': key }), []);
    if (expected === 'invalid') {
      assert.equal(r.ok, false, `${a.name} ${key}`);
      if (r.ok) continue;
      assert.equal(r.reason, 'SubscriptionKeyInvalid');
      assert.equal(r.response.status, 401);
      assert.deepEqual(JSON.parse((r.response.body as { text: string }).text), { statusCode: 401, message: INVALID_KEY_MESSAGE });
    } else {
      assert.ok(r.ok, `${a.name} ${key}`);
      assert.equal(r.subscription?.name, expected, `${a.name} ${key}`);
      assert.equal(r.product?.name, productName, `${a.name} ${key} product`);
      assert.deepEqual(r.keyLocation, { kind: 'header', name: 'Ocp-Apim-Subscription-Key' });
    }
  }
});

test('the key is read from the header first, else the query parameter, with per-API names', () => {
  const q = (s: string) => parseQuery(s);
  let r = checkSubscription(cfg, echo, {}, q('subscription-key=k-api'));
  assert.ok(r.ok && r.subscription?.name === 'api-echo' && r.keyLocation?.kind === 'query');
  // Header present (even wrong) wins over a good query key.
  r = checkSubscription(cfg, echo, headers({ 'ocp-apim-subscription-key': 'bad' }), q('subscription-key=k-api'));
  assert.ok(!r.ok && r.reason === 'SubscriptionKeyInvalid');
  // Custom names: the defaults are not looked at.
  r = checkSubscription(cfg, custom, headers({ 'X-Api-Key': 'k-custom' }), []);
  assert.ok(r.ok && r.subscription?.name === 'api-custom' && r.keyLocation?.name === 'X-Api-Key');
  r = checkSubscription(cfg, custom, {}, q('apikey=k-custom'));
  assert.ok(r.ok && r.keyLocation?.name === 'apikey');
  r = checkSubscription(cfg, custom, headers({ 'Ocp-Apim-Subscription-Key': 'k-custom' }), q('subscription-key=k-custom'));
  assert.ok(!r.ok && r.reason === 'SubscriptionKeyNotFound');
});

test('without a key: open product context, else the API decides; missing key gives the exact 401', () => {
  const missing = checkSubscription(cfg, echo, {}, []);
  assert.ok(!missing.ok);
  assert.equal(missing.reason, 'SubscriptionKeyNotFound');
  assert.deepEqual(JSON.parse((missing.response.body as { text: string }).text), { statusCode: 401, message: MISSING_KEY_MESSAGE });
  assert.equal(MISSING_KEY_MESSAGE, 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.');
  assert.equal(INVALID_KEY_MESSAGE, 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.');
  const open = checkSubscription(cfg, openApi, {}, []);
  assert.ok(open.ok && open.product?.name === 'open-product' && !open.subscription);
  const noProduct = config({ apis: [openApi], products: [] });
  const plain = checkSubscription(noProduct, openApi, {}, []);
  assert.ok(plain.ok && !plain.product);
  // An open product also opens an API that itself requires a subscription.
  const openEcho = config({ apis: [echo], products: [product('free', ['echo'], { subscriptionRequired: false })] });
  const viaProduct = checkSubscription(openEcho, echo, {}, []);
  assert.ok(viaProduct.ok && viaProduct.product?.name === 'free');
  // Lenient mode (CORS preflight) never fails.
  const lenient = checkSubscription(cfg, echo, headers({ 'ocp-apim-subscription-key': 'bad' }), [], { lenient: true });
  assert.ok(lenient.ok && !lenient.subscription);
});
