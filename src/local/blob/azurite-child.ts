// Process entry that runs Azurite's blob service for the local Azure (forked by azurite.ts). It builds the
// server from Azurite's own classes instead of running its CLI, for two reasons: Azurite's CLI starts
// telemetry to Microsoft unless told not to (this never does), and the parent can hand over new storage
// accounts while it runs. Azurite reads accounts from AZURITE_ACCOUNTS only at start and every 60 s; the
// parent sends {type:'accounts'} and this sets the variable and refreshes Azurite's account store at once,
// so an account created through ARM is usable with its listKeys keys immediately, without a restart.
import { createRequire } from 'node:module';
import { join } from 'node:path';

interface ChildOptions {
  host: string;
  port: number;
  location: string;
  cert: string;
  key: string;
}

type ParentMessage = { type: 'accounts'; seq: number; accounts: string } | { type: 'shutdown' };

const require = createRequire(import.meta.url);
const dist = 'azurite/dist/src';
const { default: BlobServer } = require(`${dist}/blob/BlobServer.js`);
const { default: BlobConfiguration } = require(`${dist}/blob/BlobConfiguration.js`);
const { AzuriteTelemetryClient } = require(`${dist}/common/Telemetry.js`);
const { configLogger } = require(`${dist}/common/Logger.js`);

const opts = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
AzuriteTelemetryClient.enableTelemetry = false;
configLogger(false);

const config = new BlobConfiguration(
  opts.host,
  opts.port,
  undefined, // keep-alive timeout: Azurite's default
  join(opts.location, '__azurite_db_blob__.json'),
  join(opts.location, '__azurite_db_blob_extent__.json'),
  [{ locationId: 'Default', locationPath: join(opts.location, '__blobstorage__'), maxConcurrency: 10 }],
  false, // access log
  undefined,
  false, // debug log
  undefined,
  true, // loose: ignore headers Azurite does not support instead of failing the request
  true, // skipApiVersionCheck: newer @azure/storage-blob versions send api-versions Azurite may not list yet
  opts.cert,
  opts.key,
  '',
  // No OAuth: with it on, Azurite answers a wrong shared key with 400 InvalidAuthenticationInfo instead of
  // storage's 403, and nothing local hands out Entra tokens for storage yet.
  undefined,
  true, // disableProductStyleUrl: the account is always the first path segment (127.0.0.1 has no account subdomain)
);
const server = new BlobServer(config);

function send(msg: unknown): void {
  if (process.connected) process.send!(msg);
}

process.on('message', (msg: ParentMessage) => {
  if (msg.type === 'accounts') {
    process.env.AZURITE_ACCOUNTS = msg.accounts;
    // The account store is an internal of BlobServer (Azurite 3.37); refresh() is what its own timer calls.
    server.accountDataStore?.refresh();
    send({ type: 'accounts-ok', seq: msg.seq });
  } else if (msg.type === 'shutdown') {
    void shutdown();
  }
});
// The local Azure is gone (crash or kill): nothing else would stop this process.
process.on('disconnect', () => void shutdown());

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await server.close();
  } finally {
    process.exit(0);
  }
}

try {
  await server.start();
  const address = server.httpServer.address() as { port: number };
  send({ type: 'ready', port: address.port });
} catch (e) {
  send({ type: 'failed', error: (e as Error).message, code: (e as NodeJS.ErrnoException).code });
  process.exit(1);
}
