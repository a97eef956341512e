// What keys and call need from an existing project: its settings, target and APIM client.
import { readSettings, type ProjectSettings } from '../project/settings.ts';
import { createClients, type AzureClients } from '../azure/clients.ts';
import { resolveTarget } from '../up/target.ts';
import { UserError } from '../errors.ts';
import { armError } from '../azure/arm-errors.ts';
import { deriveNames } from '../model/names.ts';

export interface ProjectContext {
  settings: Pick<ProjectSettings, 'resourceGroup' | 'target'> & { apim: string };
  clients: AzureClients;
}

export async function openProject(o: { name?: string; local?: boolean }, info: (l: string) => void): Promise<ProjectContext> {
  const s = readSettings();
  if (!s && !o.name) throw new UserError("no project here (.apim-fn.json not found): run 'apim-fn up --name <collection>' first, or pass --name");
  const names = o.name && o.name !== s?.name ? deriveNames(o.name) : s!.names;
  const target = await resolveTarget({ local: o.local ?? s?.target === 'local', subscription: s?.subscriptionId, localData: s?.localData }, info);
  return { settings: { resourceGroup: names.resourceGroup, target: target.kind, apim: names.apim }, clients: createClients(target) };
}

export interface SubscriptionKeys {
  name: string;
  displayName?: string;
  scope: string;
  state: string;
  primaryKey?: string;
  secondaryKey?: string;
}

/** Subscriptions of the service with their keys (listSecrets is a read); the all-access 'master' only when asked. */
export async function listSubscriptionKeys(p: ProjectContext, opts: { includeMaster?: boolean } = {}): Promise<SubscriptionKeys[]> {
  const apim = await p.clients.apim();
  const { resourceGroup, apim: svc } = p.settings;
  const out: SubscriptionKeys[] = [];
  try {
    for await (const s of apim.subscription.list(resourceGroup, svc)) {
      if (s.name === 'master' && !opts.includeMaster) continue;
      const secrets = await apim.subscription.listSecrets(resourceGroup, svc, s.name!);
      out.push({ name: s.name!, displayName: s.displayName, scope: shortScope(s.scope ?? ''), state: s.state ?? 'unknown', primaryKey: secrets.primaryKey, secondaryKey: secrets.secondaryKey });
    }
  } catch (e) {
    throw armError(`listing subscriptions of ${svc}`, e);
  }
  return out;
}

/** "/subscriptions/.../service/x/products/apim-fn" → "product apim-fn". */
export function shortScope(scope: string): string {
  const m = /\/(products|apis)\/([^/]+)\/?$/i.exec(scope);
  if (m) return `${m[1].toLowerCase() === 'products' ? 'product' : 'api'} ${m[2]}`;
  if (/\/apis\/?$/i.test(scope)) return 'all APIs';
  return 'all access';
}
