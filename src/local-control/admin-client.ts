// The CLI's connection to a running local Azure: found through daemon.json in its data dir, authenticated
// with the admin token kept there, over TLS that trusts only the local CA.
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { readDaemonRecord, ADMIN_TOKEN_FILE, type DaemonRecord } from '../local/index.ts';
import { UserError } from '../errors.ts';

export interface LocalConnection {
  dataDir: string;
  record: DaemonRecord;
  caCertPem: string;
  call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export function findLocal(dataDir: string): LocalConnection | undefined {
  const record = readDaemonRecord(dataDir);
  if (!record) return undefined;
  const tokenFile = join(dataDir, ADMIN_TOKEN_FILE);
  if (!existsSync(tokenFile)) return undefined;
  const token = readFileSync(tokenFile, 'utf8').trim();
  const caCertPem = readFileSync(record.caCert, 'utf8');
  return {
    dataDir,
    record,
    caCertPem,
    call: (method, path, body) => adminRequest(record.endpoint, caCertPem, token, method, path, body),
  };
}

export function requireLocal(dataDir: string): LocalConnection {
  const conn = findLocal(dataDir);
  if (!conn) throw new UserError(`the local Azure is not running for ${dataDir}: start it with 'apim-fn local start --detach'`);
  return conn;
}

function adminRequest(endpoint: string, ca: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, endpoint),
      { method, ca, headers: { 'x-local-admin': `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', (e) => reject(new UserError(`cannot reach the local Azure at ${endpoint}: ${e.message}`)));
    req.end(payload);
  });
}
