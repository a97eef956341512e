// What up, status and down share: the project's names and target, the desired stack and its providers.
import { resolve } from 'node:path';
import { deriveNames, type NameOverrides, type StackNames } from '../model/names.ts';
import { desiredStack, type HostingPlan } from '../model/stack.ts';
import { loadSpec } from '../spec/load-spec.ts';
import { createClients, type AzureClients } from '../azure/clients.ts';
import { stackProviders } from '../azure/providers/index.ts';
import type { Providers, Observation } from '../engine/plan.ts';
import type { DesiredResource, PlannedChange, Outputs } from '../engine/types.ts';
import type { Target } from '../azure/target.ts';
import { readSettings, type ProjectSettings } from '../project/settings.ts';
import { resolveTarget } from './target.ts';
import { publisherFromCredential } from './publisher.ts';
import { UserError, usageError } from '../errors.ts';
import { isKnownRegion, regionKey } from '../model/regions.ts';

export interface StackOptions {
  name?: string;
  local?: boolean;
  localData?: string;
  subscription?: string;
  location?: string;
  plan?: HostingPlan;
  spec?: string;
  publisherEmail?: string;
  publisherName?: string;
  restore?: boolean;
  overrides?: NameOverrides;
}

export interface StackContext {
  collection: string;
  names: StackNames;
  target: Target & { localData?: string };
  clients: AzureClients;
  providers: Providers;
  stack: DesiredResource<any>[];
  settings: Omit<ProjectSettings, 'names'> & { names: StackNames };
  specPath: string;
}

/** Checks every input offline (exit 2 on a mistake) before anything is sent, then resolves the target. */
export async function prepareStack(
  o: StackOptions,
  info: (line: string) => void,
  opts: { requireSettings?: boolean; /** An explicit target (tests, benchmarks): skips resolution. */ target?: Target } = {},
): Promise<StackContext> {
  const previous = readSettings();
  if (opts.requireSettings && !previous && !o.name) throw new UserError("no project here: run 'apim-fn up --name <collection>' first (or pass --name)");
  const collection = o.name ?? previous?.name;
  if (!collection) throw usageError("missing --name <collection> (it names every resource, e.g. 'apim-fn up --name demo')");
  const location = regionKey(o.location ?? previous?.location ?? 'westeurope');
  if (!isKnownRegion(location)) throw usageError(`unknown --location '${o.location}' (e.g. westeurope, eastus, swedencentral)`);
  if (o.publisherEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(o.publisherEmail)) throw usageError(`invalid --publisher-email '${o.publisherEmail}'`);
  const plan = o.plan ?? previous?.plan ?? 'flex';
  const overrides = { ...(previous?.name === collection ? pickOverrides(previous.names) : {}), ...definedOnly(o.overrides ?? {}) };
  const specPath = o.spec ?? previous?.spec ?? 'api-spec.yml';
  const spec = loadSpec(resolve(specPath), collection);
  deriveNames(collection, overrides);

  const target: Target & { localData?: string } = opts.target ?? await resolveTarget({ local: o.local ?? previous?.target === 'local', subscription: o.subscription ?? previous?.subscriptionId, localData: o.localData ?? previous?.localData }, info);
  const names = deriveNames(collection, overrides, target.kind === 'local' ? '' : target.subscriptionId);
  const publisher = o.publisherEmail
    ? { email: o.publisherEmail, name: o.publisherName ?? o.publisherEmail.split('@')[0] }
    : await publisherFromCredential(target, o.publisherName);
  const clients = createClients(target);
  const stack = desiredStack({ names, subscriptionId: target.subscriptionId, location, plan, publisherEmail: publisher.email, publisherName: publisher.name, spec, restore: o.restore });
  return {
    collection,
    names,
    target,
    clients,
    providers: stackProviders(clients),
    stack,
    specPath,
    settings: { name: collection, target: target.kind, subscriptionId: target.subscriptionId, resourceGroup: names.resourceGroup, location, plan, names, spec: specPath, ...(target.localData ? { localData: target.localData } : {}) },
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Names stored in the settings file that differ from the derived defaults were overrides: keep them. */
function pickOverrides(names: StackNames): NameOverrides {
  const { collection: _c, ...rest } = names as unknown as Record<string, string>;
  return rest as NameOverrides;
}

export interface StackReport {
  target: 'azure' | 'local';
  subscriptionId: string;
  resourceGroup: string;
  endpoints: { gatewayUrl?: string; apiUrl?: string; docsUrl?: string; functionAppUrl?: string };
  resources: Array<{ key: string; label: string; exists: boolean; provisioningState?: string; action: PlannedChange['action']; drift: string[] }>;
}

/** The report of a stack as observed; after an apply (outputs given), every changed resource exists. */
export function stackReport(ctx: StackContext, obs: Observation, plan: PlannedChange[], applied?: Outputs): StackReport {
  const outputs = applied ?? obs.outputs;
  const gatewayUrl = outputs.apim?.gatewayUrl as string | undefined;
  const host = outputs.functionApp?.host as string | undefined;
  const apiPath = (ctx.stack.find((r) => r.key === 'api')?.build(outputs) as any)?.path;
  return {
    target: ctx.target.kind,
    subscriptionId: ctx.target.subscriptionId,
    resourceGroup: ctx.names.resourceGroup,
    endpoints: {
      gatewayUrl,
      apiUrl: gatewayUrl ? `${gatewayUrl}/${apiPath}` : undefined,
      docsUrl: gatewayUrl ? `${gatewayUrl}/public/docs` : undefined,
      functionAppUrl: host ? `https://${host}` : undefined,
    },
    resources: plan.map((c) => {
      const o = obs.observed.get(c.key);
      const state = (o?.body as any)?.provisioningState ?? (o?.body as any)?.properties?.provisioningState;
      const exists = !!o || (applied !== undefined && c.key in applied);
      return { key: c.key, label: c.label, exists, ...(state && !applied ? { provisioningState: String(state) } : {}), action: c.action, drift: applied ? [] : c.fields };
    }),
  };
}
