// Microsoft.Storage (2026-09-01, the api-version @azure/arm-storage 21 sends): storage accounts with their
// create LRO, keys and name checks, the default blob service, and blob containers. Modules in ./storage/.
import type { LocalAzureContext } from '../../context.ts';
import { accountDef } from './storage/accounts.ts';
import { registerAccountActions } from './storage/account-actions.ts';
import { registerBlobServices } from './storage/blob-services.ts';
import { registerBlobContainers } from './storage/containers.ts';
import { defineResource } from '../resource-kit.ts';

/** The blob endpoint accounts report; the storage data plane later points it at Azurite (see the function). */
export { blobEndpointFor } from './storage/endpoints.ts';

export function registerStorage(env: LocalAzureContext): void {
  const account = accountDef(env);
  defineResource(env, account);
  registerAccountActions(env, account);
  registerBlobServices(env);
  registerBlobContainers(env);
}
