// Resource group, storage (account, deployment container), Log Analytics, Application Insights, plan.
import type { AzureClients } from '../clients.ts';
import { sdkProvider, keepErrorBody, type Res } from './kit.ts';
import type { Provider } from '../../engine/types.ts';
import { UserError } from '../../errors.ts';

/** A storage account name is global: when ours does not exist, check it is free before anything is written. */
function withNameCheck(c: AzureClients, p: Provider<any>): Provider<any> {
  return {
    ...p,
    async read(r: Res, outputs) {
      const found = await p.read(r, outputs);
      if (found) return found;
      const check = await (await c.storage()).storageAccounts.checkNameAvailability({ name: r.ident.name, type: 'Microsoft.Storage/storageAccounts' });
      if (check.nameAvailable === false) {
        throw new UserError(`storage account name '${r.ident.name}' is ${check.reason === 'AlreadyExists' ? 'taken elsewhere in Azure' : 'invalid'}: pass --storage-account <another-name>`);
      }
      return undefined;
    },
  };
}

export function coreProviders(c: AzureClients) {
  return {
    resourceGroup: sdkProvider(c, {
      get: async (c, id) => (await c.resources()).resourceGroups.get(id.name),
      put: async (c, id, d) => (await c.resources()).resourceGroups.createOrUpdate(id.name, d),
      outputs: (o) => ({ id: o.body.id }),
    }),
    storageAccount: withNameCheck(c, sdkProvider(c, {
      get: async (c, id) => (await c.storage()).storageAccounts.getProperties(id.resourceGroup, id.name),
      put: async (c, id, d) => (await c.storage()).storageAccounts.create(id.resourceGroup, id.name, d, c.poll),
      // Keys are read only when a connection string is needed (Linux Consumption): listKeys is a read.
      extra: async (c, id, body) => {
        if (body?.allowSharedKeyAccess === false) return {};
        const keys = await (await c.storage()).storageAccounts.listKeys(id.resourceGroup, id.name);
        const key = keys.keys?.[0]?.value;
        return key ? { __key: key } : {};
      },
      outputs: (o) => ({
        id: o.body.id,
        blobEndpoint: (o.body.primaryEndpoints as any)?.blob,
        connectionString: o.body.__key ? connectionString(o.body) : undefined,
      }),
    })),
    blobContainer: sdkProvider(c, {
      get: async (c, id) => (await c.storage()).blobContainers.get(id.resourceGroup, id.account, id.name),
      put: async (c, id, d) => (await c.storage()).blobContainers.create(id.resourceGroup, id.account, id.name, d),
      outputs: (o, _d) => ({ id: o.body.id, name: o.body.name }),
    }),
    workspace: sdkProvider(c, {
      get: async (c, id) => (await c.logs()).workspaces.get(id.resourceGroup, id.name),
      put: async (c, id, d) => (await c.logs()).workspaces.createOrUpdate(id.resourceGroup, id.name, d, c.poll),
      outputs: (o) => ({ id: o.body.id }),
    }),
    insights: sdkProvider(c, {
      get: async (c, id) => (await c.insights()).components.get(id.resourceGroup, id.name),
      put: async (c, id, d) => (await c.insights()).components.createOrUpdate(id.resourceGroup, id.name, d),
      outputs: (o) => ({ id: o.body.id, connectionString: o.body.connectionString }),
    }),
    plan: sdkProvider(c, {
      get: async (c, id) => (await c.web()).appServicePlans.get(id.resourceGroup, id.name),
      put: async (c, id, d) => keepErrorBody(async (o) => (await c.web()).appServicePlans.createOrUpdate(id.resourceGroup, id.name, d, { ...c.poll, ...o })),
      outputs: (o) => ({ id: o.body.id }),
    }),
  };
}

function connectionString(account: any): string {
  const blob: string = account.primaryEndpoints?.blob ?? '';
  const suffix = blob.replace(/^https:\/\/[^.]+\.blob\./, '').replace(/\/$/, '') || 'core.windows.net';
  // The local Azure's blob endpoint is not under core.windows.net: name the endpoint explicitly then.
  if (!/\.blob\.core\.windows\.net\/?$/.test(blob) && blob) {
    return `DefaultEndpointsProtocol=https;AccountName=${account.name};AccountKey=${account.__key};BlobEndpoint=${blob}`;
  }
  return `DefaultEndpointsProtocol=https;AccountName=${account.name};AccountKey=${account.__key};EndpointSuffix=${suffix}`;
}
