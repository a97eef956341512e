// Certificates for the local Azure: a CA generated once per data dir, and a server certificate for
// localhost / 127.0.0.1 signed by it. Clients trust the CA explicitly; nothing touches system trust stores.
import { webcrypto } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import 'reflect-metadata'; // @peculiar/x509's DI container (tsyringe) needs it
import * as x509 from '@peculiar/x509';
import { writeFileAtomic } from './state/atomic-file.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export interface TlsMaterial {
  caCertPath: string;
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

function pemKey(der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}

async function createCa(): Promise<{ certPem: string; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=apim-fn local Azure CA',
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 10 * 365 * 86400_000),
    keys: keys as CryptoKeyPair,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const keyPem = pemKey(await webcrypto.subtle.exportKey('pkcs8', (keys as CryptoKeyPair).privateKey));
  return { certPem: cert.toString('pem') + '\n', keyPem };
}

async function createServerCert(caCertPem: string, caKeyPem: string): Promise<{ certPem: string; keyPem: string }> {
  const caCert = new x509.X509Certificate(caCertPem);
  const caKeyDer = Buffer.from(caKeyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const caKey = await webcrypto.subtle.importKey('pkcs8', caKeyDer, ALG, false, ['sign']);
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=localhost',
    issuer: caCert.subject,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 825 * 86400_000),
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ]),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: pemKey(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}

/** Loads the CA and server certificate from the data dir, creating them on first start. */
export async function ensureTls(dataDir: string): Promise<TlsMaterial> {
  const caCertPath = join(dataDir, 'ca.pem');
  const caKeyPath = join(dataDir, 'ca-key.pem');
  const certPath = join(dataDir, 'server.pem');
  const keyPath = join(dataDir, 'server-key.pem');
  if (!existsSync(caCertPath) || !existsSync(caKeyPath)) {
    const ca = await createCa();
    writeFileAtomic(caKeyPath, ca.keyPem, 0o600);
    writeFileAtomic(caCertPath, ca.certPem, 0o644);
  }
  const caCertPem = readFileSync(caCertPath, 'utf8');
  let fresh = !existsSync(certPath) || !existsSync(keyPath);
  if (!fresh) {
    const leaf = new x509.X509Certificate(readFileSync(certPath, 'utf8'));
    const issuedByCa = await leaf.verify({ publicKey: new x509.X509Certificate(caCertPem).publicKey, signatureOnly: true });
    fresh = !issuedByCa || leaf.notAfter.getTime() - Date.now() < 7 * 86400_000;
  }
  if (fresh) {
    const server = await createServerCert(caCertPem, readFileSync(caKeyPath, 'utf8'));
    writeFileAtomic(keyPath, server.keyPem, 0o600);
    writeFileAtomic(certPath, server.certPem, 0o644);
  }
  return { caCertPath, caCertPem, certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
}
