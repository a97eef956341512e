// Talking to the local blob data plane as the platform does: clients signed with an account's key (from the
// storage provider's state), blob URLs parsed in both shapes a resource may hold (Azurite's path-style
// https://127.0.0.1:<port>/<account>/<container> and Azure's https://<account>.blob.core.windows.net/<container>),
// and read-only service SAS URLs like the ones Core Tools puts in WEBSITE_RUN_FROM_PACKAGE.
import {
  BlobSASPermissions, BlobServiceClient, generateBlobSASQueryParameters, StorageSharedKeyCredential, type StoragePipelineOptions,
} from '@azure/storage-blob';
import type { LocalAzureContext } from '../context.ts';

export const ACCOUNT_TYPE = 'Microsoft.Storage/storageAccounts';
export const CONTAINER_TYPE = 'Microsoft.Storage/storageAccounts/blobServices/containers';

export interface BlobLocation {
  account: string;
  container: string;
  /** Blob name, '' for a container URL. */
  blob: string;
}

/** Account, container and blob of a blob URL, or undefined when it is not a blob URL. */
export function parseBlobUrl(url: string): BlobLocation | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const parts = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const azure = /^([a-z0-9]{3,24})\.blob\.core\.windows\.net$/i.exec(u.hostname);
  if (azure) return parts.length ? { account: azure[1].toLowerCase(), container: parts[0], blob: parts.slice(1).join('/') } : undefined;
  if (parts.length < 2) return undefined;
  return { account: parts[0].toLowerCase(), container: parts[1], blob: parts.slice(2).join('/') };
}

/** The stored storage account of this name (any resource group), if it exists. */
export function accountNamed(env: LocalAzureContext, name: string) {
  return env.store.all().find((r) => r.type === ACCOUNT_TYPE && String(r.body.name).toLowerCase() === name.toLowerCase());
}

/** The account's keys as listKeys returns them. */
export function accountKeys(env: LocalAzureContext, name: string): string[] {
  const keys = accountNamed(env, name)?.secrets?.keys;
  return Array.isArray(keys) ? keys.map((k: { value: string }) => k.value) : [];
}

export class BlobClients {
  private readonly env: LocalAzureContext;
  private readonly ca: string;
  /** Base URL of the blob endpoint, https://127.0.0.1:<port> (accounts are path segments). */
  baseUrl = '';

  constructor(env: LocalAzureContext, caCertPem: string) {
    this.env = env;
    this.ca = caCertPem;
  }

  /** Pipeline options that trust the local Azure's CA for this client only and fail fast. */
  private options(): StoragePipelineOptions {
    return { tlsOptions: { ca: this.ca }, retryOptions: { maxTries: 3, retryDelayInMs: 50, maxRetryDelayInMs: 200 } } as StoragePipelineOptions;
  }

  credential(account: string): StorageSharedKeyCredential {
    const [key] = accountKeys(this.env, account);
    if (!key) throw new Error(`The storage account '${account}' does not exist.`);
    return new StorageSharedKeyCredential(account, key);
  }

  service(account: string): BlobServiceClient {
    return new BlobServiceClient(`${this.baseUrl}/${account}`, this.credential(account), this.options());
  }

  /** A read-only service SAS URL for one blob, valid for `years` years. */
  readSasUrl(loc: BlobLocation, years = 10): string {
    const cred = this.credential(loc.account);
    const sas = generateBlobSASQueryParameters(
      {
        containerName: loc.container,
        blobName: loc.blob,
        permissions: BlobSASPermissions.parse('r'),
        startsOn: new Date(Date.now() - 5 * 60_000),
        expiresOn: new Date(Date.now() + years * 365 * 86400_000),
      },
      cred,
    );
    return `${this.baseUrl}/${loc.account}/${loc.container}/${loc.blob.split('/').map(encodeURIComponent).join('/')}?${sas.toString()}`;
  }
}
