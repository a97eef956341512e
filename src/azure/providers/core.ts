// Resource group, storage (account, deployment container), Log Analytics, Application Insights, plan.
import type { AzureClients } from '../clients.ts';
import { sdkProvider, keepErrorBody, type Res } from './kit.ts';
import type { Provider } from '../../engine/types.ts';
import { UserError } from '../../errors.ts';
import { armError } from '../arm-errors.ts';
import { regionKey } from '../../model/regions.ts';

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

/** Registers the resource providers the stack needs (ARM's POST .../register), as az does on first use. */
function providerRegistrations(c: AzureClients): Provider<any> {
  const state = async (ns: string) => (await (await c.resources()).providers.get(ns)).registrationState ?? 'NotRegistered';
  return {
    async read(r: Res) {
      const desired = (r.build({}) as { namespaces: string[] }).namespaces;
      try {
        const states = await Promise.all(desired.map(state));
        return { body: { registered: desired.filter((_, i) => states[i] === 'Registered') } };
      } catch (e) {
        throw armError('reading resource provider registrations', e);
      }
    },
    diff: (d: { namespaces: string[] }, o) => d.namespaces.filter((ns) => !(o.body.registered as string[]).includes(ns)),
    async write(r: Res, d: { namespaces: string[] }, observed) {
      const missing = d.namespaces.filter((ns) => !((observed?.body.registered as string[]) ?? []).includes(ns));
      const client = await c.resources();
      try {
        await Promise.all(missing.map((ns) => client.providers.register(ns)));
        const deadline = Date.now() + (c.target.kind === 'local' ? 10_000 : 600_000);
        for (const ns of missing) {
          while ((await state(ns)) !== 'Registered') {
            if (Date.now() > deadline) throw new UserError(`resource provider ${ns} is still registering: wait a few minutes, then run up again`);
            await new Promise((res) => setTimeout(res, c.target.kind === 'local' ? 50 : 5000));
          }
        }
      } catch (e) {
        if (e instanceof UserError) throw e;
        throw armError(`registering resource providers ${missing.join(', ')} (needs permission to register providers on the subscription)`, e);
      }
      return { body: { registered: d.namespaces } };
    },
    outputs: () => ({}),
  };
}


/** Flex Consumption is not in every region: find out before anything is created. */
function withFlexRegionCheck(c: AzureClients, p: Provider<any>): Provider<any> {
  return {
    ...p,
    async read(r: Res, outputs) {
      const found = await p.read(r, outputs);
      const d = r.build({}) as any;
      if (found || d.sku?.name !== 'FC1') return found;
      const regions: string[] = [];
      for await (const g of (await c.web()).listGeoRegions({ sku: 'FlexConsumption' } as any)) regions.push(String((g as any).displayName ?? g.name));
      if (regions.length && !regions.some((g) => regionKey(g) === regionKey(d.location))) {
        throw new UserError(`Flex Consumption is not available in ${d.location}: pass --location with one of ${regions.slice(0, 8).map(regionKey).join(', ')}${regions.length > 8 ? ', ...' : ''}, or --plan consumption`);
      }
      return undefined;
    },
  };
}

export function coreProviders(c: AzureClients) {
  return {
    providerRegistrations: providerRegistrations(c),
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
    plan: withFlexRegionCheck(c, sdkProvider(c, {
      get: async (c, id) => (await c.web()).appServicePlans.get(id.resourceGroup, id.name),
      put: async (c, id, d) => keepErrorBody(async (o) => (await c.web()).appServicePlans.createOrUpdate(id.resourceGroup, id.name, d, { ...c.poll, ...o })),
      outputs: (o) => ({ id: o.body.id }),
    })),
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
