// Linux Consumption code deploys as Core Tools does (PublishFunctionAppAction.PublishRunFromPackage): the zip
// goes to blob container `function-releases` of the app's storage account (AzureWebJobsStorage), a
// read-only service SAS for it goes into WEBSITE_RUN_FROM_PACKAGE, and the triggers are synced.
import { createHash } from 'node:crypto';
import { UserError } from '../errors.ts';
import { Redactor, withoutQuery } from './secrets.ts';

export const RELEASES_CONTAINER = 'function-releases';
/** Core Tools' SAS lifetime for the package URL: ten years (the app reads the blob at every cold start). */
const SAS_YEARS = 10;

export interface StorageConnection {
  accountName: string;
  accountKey?: string;
  blobEndpoint: string;
}

/** Parses an Azure Storage connection string (the keys are case-insensitive, values may contain '='). */
export function parseConnectionString(cs: string): StorageConnection {
  const parts: Record<string, string> = {};
  for (const seg of cs.split(';')) {
    const i = seg.indexOf('=');
    if (i > 0) parts[seg.slice(0, i).trim().toLowerCase()] = seg.slice(i + 1).trim();
  }
  const accountName = parts.accountname;
  if (!accountName) throw new UserError('app setting AzureWebJobsStorage is not a storage connection string with an AccountName');
  const protocol = parts.defaultendpointsprotocol ?? 'https';
  const blobEndpoint = (parts.blobendpoint ?? `${protocol}://${accountName}.blob.${parts.endpointsuffix ?? 'core.windows.net'}`).replace(/\/+$/, '');
  return { accountName, accountKey: parts.accountkey, blobEndpoint };
}

/** Blob name as Core Tools names releases, with the package hash instead of a random GUID: yyyyMMddHHmmss-<sha>.zip (UTC). */
export function releaseBlobName(sha256: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${sha256}.zip`;
}

/** The settings after a run-from-package deploy: the others kept, the zip-deploy leftovers removed. */
export function runFromPackageSettings(current: Record<string, string>, packageUrl: string): Record<string, string> {
  const next: Record<string, string> = { ...current, WEBSITE_RUN_FROM_PACKAGE: packageUrl, WEBSITE_MOUNT_ENABLED: '1' };
  delete next.WEBSITE_RUN_FROM_ZIP;
  return next;
}

export interface UploadInput {
  connectionString: string;
  zip: Uint8Array;
  sha256: string;
  redactor: Redactor;
  /** The local Azure has no blob data plane on the internet's storage hosts: refuse rather than reach out. */
  localOnly: boolean;
  /** PEM of the local Azure's CA (its blob data plane serves HTTPS with that CA's certificate). */
  ca?: string;
}

export type PackageUploader = (o: UploadInput) => Promise<{ url: string; blobName: string }>;

/** Uploads with @azure/storage-blob (Put Blob with Content-MD5, as Core Tools checks MD5) and returns the SAS URL. */
export const uploadPackage: PackageUploader = async (o) => {
  const conn = parseConnectionString(o.connectionString);
  o.redactor.add(conn.accountKey);
  if (o.localOnly && !/^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i.test(conn.blobEndpoint)) {
    throw new UserError(
      `the app's storage account ${conn.accountName} has its blob endpoint at ${conn.blobEndpoint}, which the local Azure does not serve; Linux Consumption deploys need a local blob data plane (use --plan flex on the local Azure)`,
    );
  }
  if (!conn.accountKey) throw new UserError(`app setting AzureWebJobsStorage of this app has no AccountKey; a Linux Consumption deploy signs the package URL with the account key`);
  const { BlobServiceClient, BlobSASPermissions, SASProtocol } = await import('@azure/storage-blob');
  // tlsOptions reaches core-rest-pipeline's Node client although StoragePipelineOptions does not declare it.
  const options = { retryOptions: { maxTries: 4 }, ...(o.ca ? { tlsOptions: { ca: o.ca } } : {}) };
  const service = BlobServiceClient.fromConnectionString(o.connectionString, options as Parameters<typeof BlobServiceClient.fromConnectionString>[1]);
  const container = service.getContainerClient(RELEASES_CONTAINER);
  const blobName = releaseBlobName(o.sha256);
  const blob = container.getBlockBlobClient(blobName);
  const md5 = createHash('md5').update(o.zip).digest();
  try {
    await container.createIfNotExists();
    await blob.upload(o.zip, o.zip.length, { blobHTTPHeaders: { blobContentType: 'application/zip', blobContentMD5: md5 }, transactionalContentMD5: md5 });
  } catch (e) {
    throw new UserError(o.redactor.mask(`uploading the package to ${withoutQuery(blob.url)} failed: ${storageMessage(e)}`));
  }
  const now = Date.now();
  const url = await blob.generateSasUrl({
    permissions: BlobSASPermissions.parse('r'),
    startsOn: new Date(now - 5 * 60_000), // clock skew between this machine and storage
    expiresOn: new Date(now + SAS_YEARS * 365 * 24 * 3600_000),
    protocol: conn.blobEndpoint.startsWith('https:') ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
  });
  o.redactor.add(new URL(url).searchParams.get('sig'));
  return { url, blobName };
};

function storageMessage(e: unknown): string {
  const err = e as { statusCode?: number; code?: string; message?: string };
  return `${err.code ?? (err.statusCode ? `HTTP ${err.statusCode}` : 'error')}: ${String(err.message ?? e).split('\n')[0]}`;
}
