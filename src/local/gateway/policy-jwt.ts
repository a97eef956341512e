// validate-jwt (validate-jwt-policy.md), offline: keys must be inline. HS256/384/512 take a base64 key in
// <issuer-signing-keys><key>…</key>; RS256/384/512 and PS256/384/512 take `n`/`e` (base64url modulus and
// exponent). openid-config, certificate-id and decryption-keys need the network or uploaded certificates and are
// rejected when the policy is PUT (policy-validate.ts).
// Order of checks: token present → signature → lifetime (exp required unless require-expiration-time="false",
// nbf, clock-skew) → audiences → issuers → required-claims.
// Response: failed-validation-httpcode (401) with failed-validation-error-message, else "JWT not present." for a
// missing token and "Invalid JWT." otherwise (the body APIM is seen to answer); LastError reasons and messages
// as in api-management-error-handling-policies.md.
import { createHmac, createPublicKey, timingSafeEqual, verify, constants, type KeyObject } from 'node:crypto';
import { apimError, eqi, headerValue } from './model.ts';
import { attrValue, boolAttr, CONTINUE, evalValue, intAttr, policyError, type PolicyContext, type PolicyHandler } from './policy-runtime.ts';
import { attr, childElements, textOf, type XmlElement } from './xml.ts';

class JwtFailure extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** The `item` children of `el`'s `container` child (e.g. audiences/audience). */
const items = (el: XmlElement, container: string, item: string): XmlElement[] => {
  const c = childElements(el).find((x) => x.name === container);
  return c ? childElements(c).filter((x) => x.name === item) : [];
};

const b64url = (s: string): Buffer => Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');

function extractToken(el: XmlElement, ctx: PolicyContext): string | undefined {
  const headerName = attrValue(ctx, el, 'header-name');
  if (headerName !== undefined) {
    const v = headerValue(ctx.request.headers, headerName)?.trim();
    if (!v) return undefined;
    if (!eqi(headerName, 'authorization')) return v; // require-scheme is ignored for custom headers.
    const scheme = attrValue(ctx, el, 'require-scheme');
    const m = /^(\S+)\s+(.+)$/.exec(v);
    if (scheme !== undefined) return m && eqi(m[1], scheme) ? m[2].trim() : undefined;
    return m && eqi(m[1], 'bearer') ? m[2].trim() : v;
  }
  const q = attrValue(ctx, el, 'query-parameter-name');
  if (q !== undefined) return ctx.request.query.find((p) => p.name === q)?.value || undefined;
  const tv = attrValue(ctx, el, 'token-value');
  return tv || undefined;
}

interface SigningKey {
  id?: string;
  hmac?: Buffer;
  rsa?: KeyObject;
}

function signingKeys(el: XmlElement, ctx: PolicyContext): SigningKey[] {
  const container = childElements(el).find((c) => c.name === 'issuer-signing-keys');
  if (!container) return [];
  return childElements(container)
    .filter((k) => k.name === 'key')
    .map((k): SigningKey => {
      const id = attr(k, 'id');
      const n = attr(k, 'n');
      const e = attr(k, 'e');
      if (n && e) return { id, rsa: createPublicKey({ key: { kty: 'RSA', n, e }, format: 'jwk' }) };
      return { id, hmac: Buffer.from(evalValue(ctx, textOf(k)), 'base64') };
    });
}

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

function checkSignature(alg: string, signingInput: string, sig: Buffer, keys: SigningKey[]): void {
  const m = /^(HS|RS|PS)(256|384|512)$/.exec(alg);
  if (!m) throw new JwtFailure('TokenSignatureInvalid', `IDX10511: Signature validation failed. The algorithm '${alg}' is not supported. Access denied.`);
  const hash = HASH[m[2]];
  const ok = keys.some((k) => {
    if (m[1] === 'HS') {
      if (!k.hmac) return false;
      const mac = createHmac(hash, k.hmac).update(signingInput).digest();
      return mac.length === sig.length && timingSafeEqual(mac, sig);
    }
    if (!k.rsa) return false;
    const key = m[1] === 'PS' ? { key: k.rsa, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(m[2]) / 8 } : k.rsa;
    return verify(hash, Buffer.from(signingInput), key, sig);
  });
  if (!ok) throw new JwtFailure('TokenSignatureInvalid', 'IDX10503: Signature validation failed. Access denied.');
}

const claimValues = (v: unknown, separator: string | undefined): string[] => {
  const list = Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [typeof v === 'string' ? v : JSON.stringify(v)];
  return separator ? list.flatMap((s) => s.split(separator)) : list;
};

function validate(el: XmlElement, ctx: PolicyContext, token: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtFailure('JwtInvalid', 'IDX12741: JWT must have three segments (JWS).');
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = JSON.parse(b64url(parts[0]).toString('utf8'));
    payload = JSON.parse(b64url(parts[1]).toString('utf8'));
  } catch {
    throw new JwtFailure('JwtInvalid', 'IDX12729: Unable to decode the JWT.');
  }
  const alg = String(header.alg ?? '');
  if (alg === 'none' || parts[2] === '') {
    if (boolAttr(ctx, el, 'require-signed-tokens', true)) throw new JwtFailure('TokenSignatureInvalid', 'IDX10504: Unable to validate signature, token does not have a signature. Access denied.');
  } else {
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const all = signingKeys(el, ctx);
    const keys = kid ? all.filter((k) => k.id === undefined || k.id === kid) : all;
    if (!keys.length) throw new JwtFailure('TokenSignatureKeyNotFound', `IDX10501: Signature validation failed. Unable to match key: kid: '${kid ?? ''}'. Access denied.`);
    checkSignature(alg, `${parts[0]}.${parts[1]}`, b64url(parts[2]), keys);
  }
  const now = ctx.now() / 1000;
  const skew = intAttr(ctx, el, 'clock-skew', 0);
  if (typeof payload.exp !== 'number') {
    if (boolAttr(ctx, el, 'require-expiration-time', true)) throw new JwtFailure('TokenExpired', 'IDX10225: Lifetime validation failed. The token is missing an Expiration Time. Access denied.');
  } else if (payload.exp + skew <= now) throw new JwtFailure('TokenExpired', 'IDX10223: Lifetime validation failed. The token is expired. Access denied.');
  if (typeof payload.nbf === 'number' && payload.nbf - skew > now) throw new JwtFailure('TokenExpired', 'IDX10222: Lifetime validation failed. The token is not yet valid. Access denied.');
  const list = (container: string, item: string) => items(el, container, item).map((c) => evalValue(ctx, textOf(c)));
  const audiences = list('audiences', 'audience');
  if (audiences.length && !claimValues(payload.aud, undefined).some((a) => audiences.includes(a)))
    throw new JwtFailure('TokenAudienceNotAllowed', 'IDX10214: Audience validation failed. Access denied.');
  const issuers = list('issuers', 'issuer');
  if (issuers.length && !issuers.includes(String(payload.iss ?? ''))) throw new JwtFailure('TokenIssuerNotAllowed', 'IDX10205: Issuer validation failed. Access denied.');
  const required = items(el, 'required-claims', 'claim');
  const missing = required.map((c) => attr(c, 'name') ?? '').filter((n) => payload[n] === undefined);
  if (missing.length) throw new JwtFailure('TokenClaimNotFound', `JWT token is missing the following claims: ${missing.join(', ')}. Access denied.`);
  for (const c of required) {
    const name = attr(c, 'name') ?? '';
    const wanted = childElements(c)
      .filter((v) => v.name === 'value')
      .map((v) => evalValue(ctx, textOf(v)));
    if (!wanted.length) continue;
    const have = claimValues(payload[name], attr(c, 'separator'));
    const ok = (attr(c, 'match') ?? 'all') === 'any' ? wanted.some((w) => have.includes(w)) : wanted.every((w) => have.includes(w));
    if (!ok) throw new JwtFailure('TokenClaimValueNotAllowed', `Claim ${name} value of ${have.join(',')} is not allowed. Access denied.`);
  }
  return payload;
}

export const validateJwt: PolicyHandler = (el, ctx, stmt, section) => {
  const status = intAttr(ctx, el, 'failed-validation-httpcode', 401);
  const custom = attrValue(ctx, el, 'failed-validation-error-message');
  const token = extractToken(el, ctx);
  if (!token) return policyError(stmt, section, apimError(status, custom ?? 'JWT not present.'), 'TokenNotPresent', 'JWT not present.');
  try {
    const claims = validate(el, ctx, token);
    const out = attr(el, 'output-token-variable-name');
    if (out) ctx.variables.set(out, { Claims: claims, Id: claims.jti ?? null, Subject: claims.sub ?? null, Issuer: claims.iss ?? null });
    return CONTINUE;
  } catch (e) {
    if (!(e instanceof JwtFailure)) throw e;
    return policyError(stmt, section, apimError(status, custom ?? 'Invalid JWT.'), e.reason, e.message);
  }
};
