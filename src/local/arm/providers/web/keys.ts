// Host keys of a function app (WebApps_ListHostKeys, _CreateOrUpdateHostSecret, _DeleteHostSecret) and the
// trigger sync calls. Keys live in the site's secrets, never in GET site.
//
// The PUT body real ARM takes is {properties:{name, value?}}: a body without "properties" is refused with
// 51006 "Properties object is not present in the request body." (Azure/azure-rest-api-specs#14557, #17653).
// @azure/arm-appservice 19 serializes KeyInfo flat ({name, value}), so its createOrUpdateHostSecret gets that
// 400 from real Azure too; a client has to send the properties envelope itself.
import type { LocalAzureContext } from '../../../context.ts';
import type { RequestContext } from '../../../http/router.ts';
import { bodyInvalid } from '../../resource-kit.ts';
import { validateRequestBody } from '../../spec/validate.ts';
import { getSite, newFunctionsKey, SITE_TEMPLATE, siteSecrets, webRoute, type SiteSecrets } from './common.ts';
import { AppServiceError, propertiesMissing } from './errors.ts';

const HOST = `${SITE_TEMPLATE}/host/default`;

/** Where a key type's keys live; ARM's path segment is matched case-insensitively. */
function keySet(secrets: SiteSecrets, keyType: string): { keys: Record<string, string>; type: string } {
  switch (keyType.toLowerCase()) {
    case 'functionkeys':
      return { keys: secrets.hostKeys.functionKeys, type: 'Microsoft.Web/sites/host/functionKeys' };
    case 'systemkeys':
      return { keys: secrets.hostKeys.systemKeys, type: 'Microsoft.Web/sites/host/systemKeys' };
    default:
      throw new AppServiceError(400, 'BadRequest', `The key type '${keyType}' is not valid. Use functionKeys or systemKeys.`);
  }
}

function putHostKey(env: LocalAzureContext, ctx: RequestContext) {
  const site = getSite(env, ctx);
  const body: any = ctx.body ?? {};
  const problems = validateRequestBody('WebApps_CreateOrUpdateHostSecret', body);
  if (problems.length) throw bodyInvalid(problems);
  if (!body.properties || typeof body.properties !== 'object') throw propertiesMissing();
  const { keyName } = ctx.params;
  const { keys, type } = keySet(siteSecrets(site), ctx.params.keyType);
  const created = !(keyName in keys);
  // Without a value the host generates one (the ANT 84 "Renew/Generate Key" behaviour, azure-functions-host#4570).
  const value = typeof body.properties.value === 'string' && body.properties.value ? body.properties.value : newFunctionsKey();
  keys[keyName] = value;
  env.store.markDirty();
  return {
    status: created ? 201 : 200,
    body: {
      id: `${site.id}/host/default/${ctx.params.keyType}/${keyName}`,
      name: keyName,
      type,
      location: site.body.location,
      properties: { name: keyName, value },
    },
  };
}

export function registerKeyRoutes(env: LocalAzureContext): void {
  const hostType = 'Microsoft.Web/sites/host';
  webRoute(env, {
    method: 'POST',
    template: `${HOST}/listkeys`,
    resourceType: hostType,
    readOnly: true,
    handler: (ctx) => {
      const { masterKey, functionKeys, systemKeys } = siteSecrets(getSite(env, ctx)).hostKeys;
      return { status: 200, body: { masterKey, functionKeys: { ...functionKeys }, systemKeys: { ...systemKeys } } };
    },
  });
  webRoute(env, { method: 'PUT', template: `${HOST}/{keyType}/{keyName}`, resourceType: hostType, handler: (ctx) => putHostKey(env, ctx) });
  webRoute(env, {
    method: 'DELETE',
    template: `${HOST}/{keyType}/{keyName}`,
    resourceType: hostType,
    handler: (ctx) => {
      const { keys } = keySet(siteSecrets(getSite(env, ctx)), ctx.params.keyType);
      if (!(ctx.params.keyName in keys)) {
        throw new AppServiceError(404, 'NotFound', `The key '${ctx.params.keyName}' was not found.`);
      }
      delete keys[ctx.params.keyName];
      env.store.markDirty();
      return { status: 204 };
    },
  });

  // What Core Tools calls after a Linux Consumption deploy (AzureHelper.SyncTriggers): 204.
  webRoute(env, {
    method: 'POST',
    template: `${HOST}/sync`,
    resourceType: hostType,
    handler: (ctx) => {
      getSite(env, ctx);
      return { status: 204 };
    },
  });
  // Real ARM answers 200 with the host's {"status":"success"} although the spec and the SDK expect 204
  // (Azure/azure-rest-api-specs#1275, azure-sdk-for-js#16996, azure-sdk-for-net#4030), so the v19 SDK throws
  // RestError with statusCode 200 here, as it does against Azure.
  webRoute(env, {
    method: 'POST',
    template: `${SITE_TEMPLATE}/syncfunctiontriggers`,
    resourceType: 'Microsoft.Web/sites',
    handler: (ctx) => {
      getSite(env, ctx);
      return { status: 200, body: { status: 'success' } };
    },
  });
}
