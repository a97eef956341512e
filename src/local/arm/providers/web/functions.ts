// The functions of a function app as ARM lists them (WebApps_ListFunctions / GetFunction / ListFunctionKeys).
// ARM reads them from the running host; locally the data plane that runs deployed code registers them here,
// in the state document under extra.functions[<lowercased site id>], so the list survives restarts.
import type { LocalAzureContext } from '../../../context.ts';
import type { RequestContext } from '../../../http/router.ts';
import { keyOf, type StoredResource } from '../../../state/store.ts';
import { getSite, newFunctionsKey, SITE_TEMPLATE, siteSecrets, webRoute } from './common.ts';
import { AppServiceError } from './errors.ts';

/** A function as the host indexed it; `config` is its function.json-style {bindings:[...]}. */
export interface RegisteredFunction {
  name: string;
  config?: Record<string, unknown>;
  /** e.g. https://<host>/api/<route> for HTTP triggers. */
  invokeUrlTemplate?: string;
  language?: string;
  isDisabled?: boolean;
}

const registry = (env: LocalAzureContext): Record<string, RegisteredFunction[]> => (env.store.doc.extra.functions ??= {});

/** Replaces the functions a site's host reports (called by the data plane after a deployment). */
export function registerFunctions(env: LocalAzureContext, siteId: string, functions: RegisteredFunction[]): void {
  registry(env)[keyOf(siteId)] = functions;
  env.store.markDirty();
}

export function functionsOf(env: LocalAzureContext, siteId: string): RegisteredFunction[] {
  return env.store.doc.extra.functions?.[keyOf(siteId)] ?? [];
}

export function forgetFunctions(env: LocalAzureContext, siteId: string): void {
  if (env.store.doc.extra.functions?.[keyOf(siteId)]) {
    delete env.store.doc.extra.functions[keyOf(siteId)];
    env.store.markDirty();
  }
}

function envelope(env: LocalAzureContext, site: StoredResource, fn: RegisteredFunction): Record<string, unknown> {
  const host = env.hosts.hostOf(site.id, 'function-app');
  const base = `https://${host}/admin`;
  return {
    id: `${site.id}/functions/${fn.name}`,
    name: `${site.body.name}/${fn.name}`,
    type: 'Microsoft.Web/sites/functions',
    location: site.body.location,
    properties: {
      name: fn.name,
      function_app_id: null,
      script_root_path_href: `${base}/vfs/home/site/wwwroot/${fn.name}/`,
      script_href: null,
      config_href: `${base}/vfs/home/site/wwwroot/${fn.name}/function.json`,
      test_data_href: null,
      secrets_file_href: null,
      href: `${base}/functions/${fn.name}`,
      config: fn.config ?? {},
      files: null,
      test_data: null,
      invoke_url_template: fn.invokeUrlTemplate ?? null,
      language: fn.language ?? null,
      isDisabled: fn.isDisabled ?? false,
    },
  };
}

function findFunction(env: LocalAzureContext, ctx: RequestContext): { site: StoredResource; fn: RegisteredFunction } {
  const site = getSite(env, ctx);
  const wanted = ctx.params.functionName.toLowerCase();
  const fn = functionsOf(env, site.id).find((f) => f.name.toLowerCase() === wanted);
  // The host answers 404 for a name that is not a deployed function (azure-functions-host#3994).
  if (!fn) throw new AppServiceError(404, 'NotFound', `Function '${ctx.params.functionName}' does not exist.`);
  return { site, fn };
}

export function registerFunctionRoutes(env: LocalAzureContext): void {
  const fnType = 'Microsoft.Web/sites/functions';
  webRoute(env, {
    method: 'GET',
    template: `${SITE_TEMPLATE}/functions`,
    resourceType: fnType,
    handler: (ctx) => {
      const site = getSite(env, ctx);
      return { status: 200, body: { value: functionsOf(env, site.id).map((f) => envelope(env, site, f)) } };
    },
  });
  webRoute(env, {
    method: 'GET',
    template: `${SITE_TEMPLATE}/functions/{functionName}`,
    resourceType: fnType,
    handler: (ctx) => {
      const { site, fn } = findFunction(env, ctx);
      return { status: 200, body: envelope(env, site, fn) };
    },
  });
  // Real ARM answers the key dictionary itself ({"default": "..."}), not the StringDictionary
  // {properties:{...}} the spec and SDK model (Azure/azure-rest-api-specs#11401, #33565).
  webRoute(env, {
    method: 'POST',
    template: `${SITE_TEMPLATE}/functions/{functionName}/listkeys`,
    resourceType: fnType,
    readOnly: true,
    handler: (ctx) => {
      const { site, fn } = findFunction(env, ctx);
      const secrets = siteSecrets(site);
      const keys = (secrets.functionKeys[fn.name] ??= { default: newFunctionsKey() });
      env.store.markDirty();
      return { status: 200, body: { ...keys } };
    },
  });
}
