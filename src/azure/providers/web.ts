// Function app, its app settings, the gateway's host key, and the role assignments of its identity.
import type { AzureClients } from '../clients.ts';
import type { Provider } from '../../engine/types.ts';
import { diffFields } from '../../engine/diff.ts';
import { armError, armFailure, isNotFound } from '../arm-errors.ts';
import { sdkProvider, keepErrorBody, type Res } from './kit.ts';
import { UserError } from '../../errors.ts';

/** The site's host for HTTPS calls: defaultHostName (on the local Azure a 127.0.0.1:<port> host). */
export const siteHost = (site: any): string | undefined => site?.defaultHostName;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Azure answers host-runtime calls with 400/404/503 for a while after a site is created: retry, bounded. */
export async function untilHostReady<T>(
  c: AzureClients,
  what: string,
  call: () => Promise<T>,
  retryOn: number[] = [400, 404, 409, 429, 500, 502, 503],
  budgetMs = c.target.kind === 'local' ? 5_000 : 180_000,
): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let delay = c.target.kind === 'local' ? 50 : 2000; ; delay = Math.min(delay * 2, 15_000)) {
    try {
      return await call();
    } catch (e) {
      const f = armFailure(e);
      const transient = f && retryOn.includes(f.statusCode ?? 0);
      if (!transient || Date.now() + delay > deadline) throw armError(what, e);
      await sleep(delay);
    }
  }
}

export function webProviders(c: AzureClients) {
  const functionApp = sdkProvider(c, {
    get: async (c, id) => (await c.web()).webApps.get(id.resourceGroup, id.name),
    put: async (c, id, d) => keepErrorBody(async (o) => (await c.web()).webApps.createOrUpdate(id.resourceGroup, id.name, d, { ...c.poll, ...o })),
    outputs: (o) => ({
      id: o.body.id,
      principalId: (o.body.identity as any)?.principalId,
      host: siteHost(o.body),
      apiBaseUrl: siteHost(o.body) ? `https://${siteHost(o.body)}/api` : undefined,
    }),
  });

  const appSettings: Provider<any> = {
    async read(r: Res) {
      try {
        const s = await (await c.web()).webApps.listApplicationSettings(r.ident.resourceGroup, r.ident.app);
        return { body: s.properties ?? {} };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw armError(`reading ${r.label}`, e);
      }
    },
    diff: (d, o) => diffFields(d, o.body),
    async write(r: Res, desired, observed) {
      // PUT replaces the whole set: keep settings we don't manage (the user's own, deploy bookkeeping).
      const merged: Record<string, string> = { ...((observed?.body as Record<string, string>) ?? {}) };
      for (const [k, v] of Object.entries(desired)) if (v !== undefined) merged[k] = String(v);
      try {
        const s = await keepErrorBody(async (o) => (await c.web()).webApps.updateApplicationSettings(r.ident.resourceGroup, r.ident.app, { properties: merged } as any, o));
        return { body: s.properties ?? merged };
      } catch (e) {
        throw armError(`updating ${r.label}`, e);
      }
    },
    outputs: () => ({}),
  };

  const hostKey: Provider<any> = {
    async read(r: Res) {
      try {
        // A missing app (404) means no key yet; a host that is still starting answers 400/503 for a while.
        const keys = await untilHostReady(c, `reading host keys of ${r.ident.app}`, async () => (await c.web()).webApps.listHostKeys(r.ident.resourceGroup, r.ident.app), [400, 429, 500, 502, 503]);
        const value = keys.functionKeys?.[r.ident.name];
        return value ? { body: { name: r.ident.name, value } } : undefined;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    diff: () => [],
    async write(r: Res) {
      const value = await untilHostReady(c, `creating ${r.label}`, () => putHostKey(c, r.ident.resourceGroup, r.ident.app, r.ident.name));
      return { body: { name: r.ident.name, value } };
    },
    outputs: (o) => ({ value: o.body.value }),
  };

  // A site name is global (<name>.azurewebsites.net): when ours does not exist, check it is free first.
  const readSite = functionApp.read;
  functionApp.read = async (r: Res, outputs) => {
    const found = await readSite(r, outputs);
    if (found) return found;
    const check = await (await c.web()).checkNameAvailability(r.ident.name, 'Site');
    if (check.nameAvailable === false) {
      throw new UserError(`function app name '${r.ident.name}' is ${check.reason === 'Invalid' ? 'invalid' : 'taken elsewhere in Azure'} (${check.message ?? check.reason}): pass --function-app <another-name>`);
    }
    return undefined;
  };

  return { functionApp, appSettings, hostKey, roleAssignment: roleAssignmentProvider(c) };
}

/**
 * Creates a named host key, letting the platform generate its value. ARM wants {properties:{name}}, while
 * arm-appservice 19 serializes KeyInfo flat (ARM answers 400 "Properties object is not present"), so the
 * request goes through the client's own pipeline (auth, retries, TLS) with the body ARM accepts.
 */
async function putHostKey(c: AzureClients, resourceGroup: string, app: string, keyName: string): Promise<string> {
  const client = (await c.web()) as any;
  const path = `/subscriptions/${encodeURIComponent(c.target.subscriptionId)}/resourceGroups/${encodeURIComponent(resourceGroup)}/providers/Microsoft.Web/sites/${encodeURIComponent(app)}/host/default/functionKeys/${encodeURIComponent(keyName)}?api-version=2025-05-01`;
  const res = await client._client.path(path).put({ contentType: 'application/json', headers: { accept: 'application/json' }, body: { properties: { name: keyName } } });
  if (res.status !== '200' && res.status !== '201') {
    const body = res.body ?? {};
    throw Object.assign(new Error(body?.error?.message ?? body?.Message ?? `HTTP ${res.status}`), { name: 'RestError', statusCode: Number(res.status), details: body });
  }
  const value = res.body?.properties?.value ?? res.body?.value;
  if (value) return value;
  const keys = await client.webApps.listHostKeys(resourceGroup, app);
  return keys.functionKeys?.[keyName];
}


/** Role assignments: name and scope come from the desired body, which needs the app's principal id. */
function roleAssignmentProvider(c: AzureClients): Provider<any> {
  return {
    readNeedsOutputs: true,
    async read(r: Res, outputs) {
      const d = r.build(outputs);
      try {
        return { body: (await (await c.authorization()).roleAssignments.get(d.scope, d.name)) as any };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw armError(`reading ${r.label}`, e);
      }
    },
    diff: (d, o) => diffFields({ roleDefinitionId: String(d.roleDefinitionId).toLowerCase(), principalId: d.principalId }, { ...o.body, roleDefinitionId: String(o.body.roleDefinitionId ?? '').toLowerCase() }),
    async write(r: Res, d) {
      try {
        const auth = await c.authorization();
        return { body: (await auth.roleAssignments.create(d.scope, d.name, { roleDefinitionId: d.roleDefinitionId, principalId: d.principalId, principalType: d.principalType } as any)) as any };
      } catch (e) {
        if (armFailure(e)?.code === 'RoleAssignmentExists') return { body: d };
        throw armError(`creating ${r.label}`, e);
      }
    },
    outputs: () => ({}),
  };
}
