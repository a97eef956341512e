// The Linux Consumption upload through the real @azure/storage-blob client, against a loopback blob
// endpoint that answers as Blob storage does: container created if missing, one Put Blob with Content-MD5,
// and a read-only SAS URL good for years.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { uploadPackage, RELEASES_CONTAINER } from '../../src/deploy/run-from-package.ts';
import { Redactor } from '../../src/deploy/secrets.ts';

const KEY = Buffer.from('a-32-byte-account-key-for-tests!').toString('base64');

test('uploads to function-releases with MD5 and returns a read-only SAS URL', async () => {
  const seen: Array<{ method: string; path: string; headers: http.IncomingHttpHeaders; body: Buffer }> = [];
  let containerExists = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      const common = { 'x-ms-request-id': 'r1', 'x-ms-version': '2025-01-05', Date: new Date().toUTCString() };
      if (req.method === 'PUT' && /restype=container/.test(req.url!)) {
        if (containerExists) {
          res.writeHead(409, { ...common, 'x-ms-error-code': 'ContainerAlreadyExists', 'Content-Type': 'application/xml' });
          return res.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>ContainerAlreadyExists</Code><Message>The specified container already exists.</Message></Error>');
        }
        containerExists = true;
        res.writeHead(201, { ...common, ETag: '"0x1"', 'Last-Modified': new Date().toUTCString() });
        return res.end();
      }
      if (req.method === 'PUT') {
        res.writeHead(201, { ...common, ETag: '"0x2"', 'Last-Modified': new Date().toUTCString(), 'Content-MD5': req.headers['content-md5'] ?? '' });
        return res.end();
      }
      res.writeHead(400, common);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const zip = new Uint8Array(Buffer.from('PK fake zip bytes'));
    const sha = createHash('sha256').update(zip).digest('hex');
    const cs = `DefaultEndpointsProtocol=http;AccountName=stx;AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:${port}/stx`;
    const redactor = new Redactor();
    const first = await uploadPackage({ connectionString: cs, zip, sha256: sha, redactor, localOnly: true });
    await uploadPackage({ connectionString: cs, zip, sha256: sha, redactor, localOnly: true }); // container exists now: still fine

    assert.match(first.blobName, new RegExp(`^\\d{14}-${sha}\\.zip$`));
    const put = seen.find((s) => s.method === 'PUT' && s.path.startsWith(`/stx/${RELEASES_CONTAINER}/${first.blobName}`))!;
    assert.ok(put, 'Put Blob sent');
    assert.equal(put.headers['x-ms-blob-type'], 'BlockBlob');
    assert.equal(put.headers['x-ms-blob-content-type'], 'application/zip');
    const md5 = createHash('md5').update(zip).digest('base64');
    assert.equal(put.headers['content-md5'], md5, 'transactional MD5');
    assert.equal(put.headers['x-ms-blob-content-md5'], md5, 'stored MD5');
    assert.deepEqual([...put.body], [...zip]);
    assert.match(String(put.headers.authorization), /^SharedKey stx:/);

    const url = new URL(first.url);
    assert.equal(url.pathname, `/stx/${RELEASES_CONTAINER}/${first.blobName}`);
    assert.equal(url.searchParams.get('sp'), 'r', 'read only');
    assert.equal(url.searchParams.get('sr'), 'b', 'one blob');
    const years = (Date.parse(url.searchParams.get('se')!) - Date.now()) / (365 * 24 * 3600_000);
    assert.ok(years > 9.9 && years < 10.1, `expires in ~10 years (${years})`);
    const sig = url.searchParams.get('sig')!;
    assert.ok(sig.length > 20);
    assert.equal(redactor.mask(`x ${sig} ${KEY}`), 'x *** ***', 'the signature and the key are registered as secrets');
  } finally {
    server.close();
  }
});
