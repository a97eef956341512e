// The SCM transport: TLS trusted through the given CA only (never switched off), transport failures typed,
// and --verbose logging with the bearer token masked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type LocalAzureHarness } from '../helpers/local-azure.ts';
import { httpsRequest, loggingClient, TransportError } from '../../src/deploy/http.ts';
import { Redactor } from '../../src/deploy/secrets.ts';

let h: LocalAzureHarness;
before(async () => (h = await startHarness()));
after(() => h.close());

const TOKEN = 'verbose-test-token-0123456789';

test('trusts the local Azure through its CA; without it the certificate is rejected', async () => {
  const url = `${h.azure.endpoint}/subscriptions?api-version=2022-12-01`;
  const ok = await httpsRequest(url, { method: 'GET', ca: h.azure.caCertPem, headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(ok.status, 200);
  assert.ok(JSON.parse(ok.text).value.length >= 1);
  await assert.rejects(httpsRequest(url, { method: 'GET', headers: { Authorization: `Bearer ${TOKEN}` } }), (e: Error) => e instanceof TransportError && /certificate/i.test(e.message));
});

test('a refused connection is a TransportError with its code', async () => {
  await assert.rejects(httpsRequest('https://127.0.0.1:1/api/publish', { method: 'POST', body: Buffer.from('x') }), (e: Error) => e instanceof TransportError && e.code === 'ECONNREFUSED');
});

test('--verbose lines name method, URL and status, with the token masked', async () => {
  const lines: string[] = [];
  const r = new Redactor();
  r.add(TOKEN);
  const http = loggingClient(httpsRequest, (l) => lines.push(l), r);
  await http(`${h.azure.endpoint}/subscriptions?api-version=2022-12-01&sig=abc&note=${TOKEN}`, { method: 'GET', ca: h.azure.caCertPem, headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^GET https:\/\/127\.0\.0\.1:\d+\/subscriptions\?api-version=2022-12-01&sig=\*\*\*&note=\*\*\* → 200 \(\d+ ms\)$/);
});
