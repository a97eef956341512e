// The public docs in a real browser (Debian's headless Chromium through playwright-core): Swagger UI lists
// the operations, and "Try it out" with a subscription key calls the protected API and gets 200.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, readFileSync, copyFileSync } from 'node:fs';
import { createHash, X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
const data = mkdtempSync(join(tmpdir(), 'apim-fn-docs-data-'));
const cwd = mkdtempSync(join(tmpdir(), 'apim-fn-docs-proj-'));
const env = { APIM_FN_LOCAL_DATA: data, APIM_FN_CACHE: join(data, 'cache') };
const cli = (...args: string[]) => runCli(args, env, undefined, cwd);
let summary: any;

before(async () => {
  if (skip) return;
  copyFileSync(new URL('../../api-spec.yml', import.meta.url), join(cwd, 'api-spec.yml'));
  const up = await cli('up', '--local', '--name', 'docs', '--json');
  assert.equal(up.code, 0, up.stderr);
  summary = JSON.parse(up.stdout);
});
after(async () => {
  await cli('local', 'stop');
  rmSync(data, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

test('Swagger UI renders the operations and a call from it with a key returns 200', { skip, timeout: 120_000 }, async () => {
  // Trust exactly the local Azure's server key (by SPKI pin), not "any certificate".
  const cert = new X509Certificate(readFileSync(join(data, 'server.pem')));
  const spki = createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--ignore-certificate-errors-spki-list=${spki}`],
  });
  try {
    const page = await browser.newPage();
    await page.goto(summary.endpoints.docsUrl);
    await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
    const paths = await page.$$eval('.opblock-summary-path', (els) => els.map((e) => e.textContent?.trim()));
    assert.ok(paths.includes('/getter') && paths.includes('/poster'), `operations listed: ${paths}`);

    const key = JSON.parse((await cli('keys', '--json')).stdout).subscriptions.find((s: any) => s.name === 'client').primaryKey;
    await page.click('button.authorize');
    await page.fill('.auth-container input', key);
    await page.click('.auth-btn-wrapper button.authorize');
    await page.click('button.btn-done');

    await page.click('.opblock-get .opblock-summary');
    await page.click('.opblock-get button.try-out__btn');
    await page.fill('.opblock-get input[placeholder="message"]', 'from the browser');
    const response = page.waitForResponse((r) => r.url().includes('/example/getter'));
    await page.click('.opblock-get button.execute');
    const r = await response;
    assert.equal(r.status(), 200);
    assert.deepEqual(await r.json(), { message: 'from the browser' });
    assert.ok(r.url().startsWith(summary.endpoints.apiUrl), `"Try it out" called the protected path: ${r.url()}`);
  } finally {
    await browser.close();
  }
});
