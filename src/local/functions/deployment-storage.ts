// Where a Flex Consumption app's package lives: functionAppConfig.deployment.storage names a blob container,
// and One Deploy writes the package there as "released-package.zip" (the name the platform reads at start;
// see learn.microsoft.com functions-infrastructure-as-code, "Deployment package"). The platform reaches the
// container with the configured authentication, and so does the local one: a managed identity needs a blob
// data role on the container (Storage Blob Data Owner or Contributor), a connection string needs a valid key.
import type { LocalAzureContext } from '../context.ts';
import type { StoredResource } from '../state/store.ts';
import { principalHasRole } from '../arm/providers/authorization.ts';
import type { BlobPlane } from '../blob/plane.ts';
import { accountKeys, accountNamed, CONTAINER_TYPE, parseBlobUrl, type BlobLocation } from '../blob/client.ts';

export const PACKAGE_BLOB = 'released-package.zip';

const BLOB_DATA_WRITERS = ['b7e6dc6d-f1e8-4753-8033-0f276bb0955b', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'];

export class StorageAccessError extends Error {}

/** The package blob of a Flex site, or undefined when the site has no deployment storage configured. */
export function packageLocation(site: StoredResource): BlobLocation | undefined {
  const value = site.body.properties?.functionAppConfig?.deployment?.storage?.value;
  if (typeof value !== 'string') return undefined;
  const loc = parseBlobUrl(value);
  return loc ? { ...loc, blob: PACKAGE_BLOB } : undefined;
}

function containerResource(env: LocalAzureContext, loc: BlobLocation): StoredResource | undefined {
  return env.store
    .all()
    .find((r) => r.type === CONTAINER_TYPE && r.id.split('/')[8]?.toLowerCase() === loc.account && r.id.split('/')[12] === loc.container);
}

/** Throws StorageAccessError (with the platform's wording) when the site may not write its package blob. */
export function checkAccess(env: LocalAzureContext, site: StoredResource, loc: BlobLocation): void {
  const storage = site.body.properties.functionAppConfig.deployment.storage;
  const account = accountNamed(env, loc.account);
  if (!account) throw new StorageAccessError(`BlobUploadFailedException: The storage account '${loc.account}' could not be found (No such host is known).`);
  const container = containerResource(env, loc);
  if (!container) throw new StorageAccessError(`BlobUploadFailedException: Response status code does not indicate success: 404 (The specified container does not exist.). Container: ${loc.container}`);
  const auth = storage.authentication ?? {};
  const type = String(auth.type ?? '').toLowerCase();
  const denied = () =>
    new StorageAccessError('BlobUploadFailedException: Response status code does not indicate success: 403 (This request is not authorized to perform this operation using this permission.).');
  if (type === 'storageaccountconnectionstring') {
    const name = auth.storageAccountConnectionStringName;
    const value = (site.secrets?.appSettings ?? {})[name];
    if (!name || typeof value !== 'string') throw new StorageAccessError(`The app setting '${name}' named by functionAppConfig.deployment.storage.authentication.storageAccountConnectionStringName was not found.`);
    const key = /AccountKey=([^;]+)/i.exec(value)?.[1];
    if (!key || !accountKeys(env, loc.account).includes(key)) throw denied();
    return;
  }
  let principalId: string | undefined;
  if (type === 'systemassignedidentity') principalId = site.body.identity?.principalId;
  else if (type === 'userassignedidentity') {
    const wanted = String(auth.userAssignedIdentityResourceId ?? '').toLowerCase();
    const entry = Object.entries(site.body.identity?.userAssignedIdentities ?? {}).find(([id]) => id.toLowerCase() === wanted);
    principalId = (entry?.[1] as { principalId?: string } | undefined)?.principalId;
  }
  if (!principalId) throw new StorageAccessError(`ManagedIdentityCredential authentication failed: the site has no ${auth.type ?? 'managed'} identity to reach the deployment storage.`);
  if (!principalHasRole(env, principalId, container.id, BLOB_DATA_WRITERS)) throw denied();
}

export async function uploadPackage(blob: BlobPlane, loc: BlobLocation, zip: Buffer): Promise<void> {
  await blob.sync();
  const client = blob.clients.service(loc.account).getContainerClient(loc.container).getBlockBlobClient(loc.blob);
  await client.uploadData(zip, { blobHTTPHeaders: { blobContentType: 'application/zip' } });
}

export async function downloadPackage(blob: BlobPlane, loc: BlobLocation): Promise<Buffer> {
  await blob.sync();
  return blob.clients.service(loc.account).getContainerClient(loc.container).getBlockBlobClient(loc.blob).downloadToBuffer();
}
