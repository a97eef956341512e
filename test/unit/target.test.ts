import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSubscriptionId, azureTarget } from '../../src/azure/target.ts';
import { publisherFromCredential } from '../../src/up/publisher.ts';

const jwt = (claims: object) => `x.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.y`;
const credential = (claims: object) => ({ getToken: async () => ({ token: jwt(claims), expiresOnTimestamp: Date.now() + 3600_000 }) });

test('subscription ids are GUIDs, checked before any request', () => {
  assert.equal(checkSubscriptionId('00000000-0000-0000-0000-000000000001'), '00000000-0000-0000-0000-000000000001');
  assert.throws(() => checkSubscriptionId('my-sub'), (e: any) => e.exitCode === 2 && /expected a GUID/.test(e.message));
});

test('an explicit subscription (flag or AZURE_SUBSCRIPTION_ID) needs no listing', async () => {
  const t = await azureTarget({ subscription: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', credential: credential({}) });
  assert.equal(t.kind, 'azure');
  assert.equal(t.endpoint, 'https://management.azure.com');
  assert.equal(t.subscriptionId, 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
  assert.equal(t.ca, undefined, 'real Azure: system trust only');
  await assert.rejects(azureTarget({ subscription: 'nope', credential: credential({}) }), /GUID/);
});

test('the APIM publisher defaults from the signed-in identity', async () => {
  const azure = { kind: 'azure' as const, endpoint: '', subscriptionId: '', credential: credential({ upn: 'ada@contoso.com', name: 'Ada Lovelace' }) };
  assert.deepEqual(await publisherFromCredential(azure), { email: 'ada@contoso.com', name: 'Ada Lovelace' });
  const sp = { ...azure, credential: credential({ appid: 'x' }) };
  await assert.rejects(publisherFromCredential(sp), /--publisher-email/);
  assert.deepEqual(await publisherFromCredential(sp, 'Me').catch(() => 'still needs an email'), 'still needs an email');
});
