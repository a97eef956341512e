// Microsoft.Storage/storageAccounts/blobServices: every account has exactly one, named "default", created with
// the account; blob containers live under it. GET, list and PUT (BlobServices_SetServiceProperties) are served.
import type { LocalAzureContext } from '../../../context.ts';
import type { StoredResource } from '../../../state/store.ts';
import { defineResource } from '../../resource-kit.ts';
import { ACCOUNT_TEMPLATE, STORAGE_API_VERSIONS } from './names.ts';

export const BLOB_SERVICE_TYPE = 'Microsoft.Storage/storageAccounts/blobServices';
const TEMPLATE = `${ACCOUNT_TEMPLATE}/blobServices/{blobServicesName}`;

const DEFAULT_PROPERTIES = {
  cors: { corsRules: [] },
  deleteRetentionPolicy: { allowPermanentDelete: false, enabled: false },
};

/** Creates the account's default blob service if it is not there yet (a create, or state from before it existed). */
export function ensureBlobService(env: LocalAzureContext, account: StoredResource): void {
  const id = `${account.id}/blobServices/default`;
  if (env.store.get(id)) return;
  const now = new Date().toISOString();
  env.store.put({
    id,
    type: BLOB_SERVICE_TYPE,
    body: { id, name: 'default', type: BLOB_SERVICE_TYPE, sku: account.body.sku, properties: structuredClone(DEFAULT_PROPERTIES) },
    createdAt: now,
    updatedAt: now,
  });
}

export function registerBlobServices(env: LocalAzureContext): void {
  defineResource(env, {
    type: BLOB_SERVICE_TYPE,
    template: TEMPLATE,
    apiVersions: STORAGE_API_VERSIONS,
    specOperation: 'BlobServices_SetServiceProperties',
    // The service's only name is "default" (the spec's path has it as a literal).
    nameRule: (name) => (name === 'default' ? undefined : `The blob service name '${name}' is invalid. The only valid name is 'default'.`),
    nameErrorCode: 'InvalidResourceName',
    without: ['DELETE'],
    build: (_ctx, existing, body) => {
      const account = env.store.get(existing?.id.replace(/\/blobServices\/default$/i, '') ?? '');
      return {
        body: {
          sku: account?.body.sku ?? existing?.body.sku,
          properties: { ...(existing?.body.properties ?? DEFAULT_PROPERTIES), ...(body.properties ?? {}) },
        },
      };
    },
    // BlobServices_SetServiceProperties answers 200 only: the service always exists once the account does.
    putReply: (_ctx, stored) => ({ status: 200, body: stored.body }),
  });
}
