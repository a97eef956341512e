import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign, constants } from 'node:crypto';
import { handleRequest } from '../../src/local/gateway/gateway.ts';
import { newGatewayState } from '../../src/local/gateway/policies.ts';
import type { GatewayConfig } from '../../src/local/gateway/model.ts';
import { api, apiPolicy, config, json, op, req } from './gateway-fixtures.ts';

const NOW = 1_700_000_000; // seconds
const SECRET = Buffer.from('a-very-secret-hmac-key-for-tests');
const b64u = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function hs(payload: Record<string, unknown>, alg = 'HS256', key = SECRET, header: Record<string, unknown> = {}): string {
  const h = b64u(JSON.stringify({ alg, typ: 'JWT', ...header }));
  const p = b64u(JSON.stringify(payload));
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg]!;
  return `${h}.${p}.${b64u(createHmac(hash, key).update(`${h}.${p}`).digest())}`;
}

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
function rs(payload: Record<string, unknown>, alg: 'RS256' | 'PS256' = 'RS256', kid?: string): string {
  const h = b64u(JSON.stringify({ alg, typ: 'JWT', ...(kid ? { kid } : {}) }));
  const p = b64u(JSON.stringify(payload));
  const key = alg === 'PS256' ? { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : privateKey;
  return `${h}.${p}.${b64u(sign('sha256', Buffer.from(`${h}.${p}`), key))}`;
}

const good = { iss: 'https://issuer.test', aud: 'api://gw', exp: NOW + 600, nbf: NOW - 10, roles: ['reader', 'admin'], scp: 'read write' };

const policy = (attrs = 'header-name="Authorization" require-scheme="Bearer"', inner = '') =>
  apiPolicy(
    `<validate-jwt ${attrs}><issuer-signing-keys><key>${SECRET.toString('base64')}</key><key id="rsa1" n="${jwk.n}" e="${jwk.e}" /></issuer-signing-keys><audiences><audience>api://gw</audience></audiences><issuers><issuer>https://issuer.test</issuer></issuers>${inner}</validate-jwt>`,
  );

function cfgWith(p: string): GatewayConfig {
  const c = config({ apis: [api('echo', 'echo', [op('get', 'GET', '/x')], { subscriptionRequired: false }, p)] });
  return c;
}

function call(cfg: GatewayConfig, headers: Record<string, string>, url = '/echo/x') {
  return handleRequest(cfg, req('GET', url, headers), { state: newGatewayState(), now: () => NOW * 1000 });
}

test('validate-jwt accepts valid HS256/HS384/RS256/PS256 tokens and rejects bad ones with 401 "Invalid JWT."', () => {
  const cfg = cfgWith(policy());
  const cases: Array<[string, string | undefined, 'ok' | string]> = [
    ['HS256', `Bearer ${hs(good)}`, 'ok'],
    ['HS384', `Bearer ${hs(good, 'HS384')}`, 'ok'],
    ['RS256', `Bearer ${rs(good)}`, 'ok'],
    ['PS256', `Bearer ${rs(good, 'PS256')}`, 'ok'],
    ['RS256 with matching kid', `Bearer ${rs(good, 'RS256', 'rsa1')}`, 'ok'],
    ['scheme case-insensitive', `bearer ${hs(good)}`, 'ok'],
    ['missing header', undefined, 'JWT not present.'],
    ['wrong scheme', `Basic ${hs(good)}`, 'JWT not present.'],
    ['no scheme', hs(good), 'JWT not present.'],
    ['bad signature', `Bearer ${hs(good, 'HS256', Buffer.from('other-key'))}`, 'Invalid JWT.'],
    ['unknown kid', `Bearer ${rs(good, 'RS256', 'nope')}`, 'Invalid JWT.'],
    ['alg none', `Bearer ${b64u('{"alg":"none"}')}.${b64u(JSON.stringify(good))}.`, 'Invalid JWT.'],
    ['garbage', 'Bearer abc.def', 'Invalid JWT.'],
    ['expired', `Bearer ${hs({ ...good, exp: NOW - 1 })}`, 'Invalid JWT.'],
    ['no exp', `Bearer ${hs({ ...good, exp: undefined })}`, 'Invalid JWT.'],
    ['not yet valid', `Bearer ${hs({ ...good, nbf: NOW + 60 })}`, 'Invalid JWT.'],
    ['wrong audience', `Bearer ${hs({ ...good, aud: 'api://other' })}`, 'Invalid JWT.'],
    ['audience in array', `Bearer ${hs({ ...good, aud: ['x', 'api://gw'] })}`, 'ok'],
    ['wrong issuer', `Bearer ${hs({ ...good, iss: 'https://evil' })}`, 'Invalid JWT.'],
  ];
  for (const [name, auth, expected] of cases) {
    const d = call(cfg, auth === undefined ? {} : { Authorization: auth });
    if (expected === 'ok') assert.equal(d.action, 'forward', name);
    else {
      assert.equal(d.action, 'respond', name);
      if (d.action !== 'respond') continue;
      assert.equal(d.response.status, 401, name);
      assert.deepEqual(json(d.response.body), { statusCode: 401, message: expected }, name);
    }
  }
});

test('validate-jwt options: custom status/message, query parameter, custom header, clock skew, optional exp', () => {
  const custom = cfgWith(policy('header-name="Authorization" failed-validation-httpcode="403" failed-validation-error-message="Unauthorized. Access token is missing or invalid."'));
  const denied = call(custom, { Authorization: `Bearer ${hs({ ...good, iss: 'x' })}` });
  assert.ok(denied.action === 'respond' && denied.response.status === 403);
  assert.deepEqual(json((denied as { response: { body: { kind: string; text?: string } } }).response.body), { statusCode: 403, message: 'Unauthorized. Access token is missing or invalid.' });
  // Without require-scheme a Bearer prefix is still accepted on Authorization.
  assert.equal(call(custom, { Authorization: `Bearer ${hs(good)}` }).action, 'forward');

  const query = cfgWith(policy('query-parameter-name="access_token"'));
  assert.equal(call(query, {}, `/echo/x?access_token=${hs(good)}`).action, 'forward');
  assert.equal(call(query, {}, '/echo/x').action, 'respond');

  // require-scheme is ignored for a custom header.
  const header = cfgWith(policy('header-name="X-Token" require-scheme="Bearer"'));
  assert.equal(call(header, { 'X-Token': hs(good) }).action, 'forward');

  const skew = cfgWith(policy('header-name="Authorization" clock-skew="120"'));
  assert.equal(call(skew, { Authorization: `Bearer ${hs({ ...good, exp: NOW - 60 })}` }).action, 'forward');

  const noExp = cfgWith(policy('header-name="Authorization" require-expiration-time="false"'));
  assert.equal(call(noExp, { Authorization: `Bearer ${hs({ ...good, exp: undefined })}` }).action, 'forward');

  const unsigned = cfgWith(policy('header-name="Authorization" require-signed-tokens="false"'));
  assert.equal(call(unsigned, { Authorization: `Bearer ${b64u('{"alg":"none"}')}.${b64u(JSON.stringify(good))}.` }).action, 'forward');
});

test('validate-jwt required-claims: match all/any, separator, missing claims; LastError reasons', () => {
  const claims = (inner: string) =>
    cfgWith(
      policy('header-name="Authorization"', `<required-claims>${inner}</required-claims>`).replace(
        '<on-error><base /></on-error>',
        '<on-error><set-header name="X-Reason" exists-action="override"><value>@(context.LastError.Reason + ": " + context.LastError.Message)</value></set-header></on-error>',
      ),
    );
  const cases: Array<[string, Record<string, unknown>, string | 'ok']> = [
    ['<claim name="roles" match="all"><value>reader</value><value>admin</value></claim>', good, 'ok'],
    ['<claim name="roles" match="all"><value>reader</value><value>owner</value></claim>', good, 'TokenClaimValueNotAllowed: Claim roles value of reader,admin is not allowed. Access denied.'],
    ['<claim name="roles" match="any"><value>owner</value><value>admin</value></claim>', good, 'ok'],
    ['<claim name="scp" match="any" separator=" "><value>write</value></claim>', good, 'ok'],
    ['<claim name="scp" match="any"><value>write</value></claim>', good, 'TokenClaimValueNotAllowed: Claim scp value of read write is not allowed. Access denied.'],
    ['<claim name="tid" /><claim name="oid" />', good, 'TokenClaimNotFound: JWT token is missing the following claims: tid, oid. Access denied.'],
    ['<claim name="roles" />', good, 'ok'],
  ];
  for (const [inner, payload, expected] of cases) {
    const d = call(claims(inner), { Authorization: `Bearer ${hs(payload)}` });
    if (expected === 'ok') assert.equal(d.action, 'forward', inner);
    else {
      assert.ok(d.action === 'respond', inner);
      assert.equal(d.response.status, 401);
      assert.deepEqual(d.response.headers['x-reason'], [expected], inner);
    }
  }
  const missing = call(claims('<claim name="roles" />'), {});
  assert.ok(missing.action === 'respond');
  assert.deepEqual(missing.response.headers['x-reason'], ['TokenNotPresent: JWT not present.']);
  const expired = call(claims('<claim name="roles" />'), { Authorization: `Bearer ${hs({ ...good, exp: NOW - 5 })}` });
  assert.ok(expired.action === 'respond');
  assert.match(expired.response.headers['x-reason'][0], /^TokenExpired: IDX10223: Lifetime validation failed. The token is expired. Access denied.$/);
});

test('validate-jwt output-token-variable-name exposes the validated token to later policies', () => {
  const p = apiPolicy(
    `<validate-jwt header-name="Authorization" output-token-variable-name="jwt"><issuer-signing-keys><key>${SECRET.toString('base64')}</key></issuer-signing-keys></validate-jwt><set-header name="X-Has" exists-action="override"><value>@(context.Variables.ContainsKey("jwt").ToString())</value></set-header>`,
  );
  const d = call(cfgWith(p), { Authorization: `Bearer ${hs(good)}` });
  assert.ok(d.action === 'forward');
  assert.equal(d.request.headers['x-has'], 'True');
  assert.deepEqual((d.ctx.variables.get('jwt') as { Claims: { iss: string } }).Claims.iss, 'https://issuer.test');
});
