// A site's configuration resources: app settings (WebApps_UpdateApplicationSettings / ListApplicationSettings,
// the whole dictionary at once), config/web (the siteConfig), publishing credentials, and restart.
import type { LocalAzureContext } from '../../../context.ts';
import type { RequestContext } from '../../../http/router.ts';
import type { StoredResource } from '../../../state/store.ts';
import { bodyInvalid } from '../../resource-kit.ts';
import { validateRequestBody } from '../../spec/validate.ts';
import { getSite, isFlexPlan, planOf, SITE_TEMPLATE, siteSecrets, webRoute } from './common.ts';
import { propertiesMissing } from './errors.ts';
import { checkFlexAppSettings, checkFlexSiteConfig, siteConfigFor } from './site-body.ts';

const CONFIG_TYPE = 'Microsoft.Web/sites/config';

function settingsReply(site: StoredResource) {
  return {
    status: 200,
    body: {
      id: `${site.id}/config/appsettings`,
      name: 'appsettings',
      type: CONFIG_TYPE,
      location: site.body.location,
      properties: { ...siteSecrets(site).appSettings },
    },
  };
}

function putAppSettings(env: LocalAzureContext, ctx: RequestContext) {
  const site = getSite(env, ctx);
  const body: any = ctx.body ?? {};
  const problems = validateRequestBody('WebApps_UpdateApplicationSettings', body);
  if (problems.length) throw bodyInvalid(problems);
  if (!body.properties || typeof body.properties !== 'object' || Array.isArray(body.properties)) throw propertiesMissing();
  const settings: Record<string, string> = {};
  for (const [k, v] of Object.entries(body.properties)) settings[k] = v == null ? '' : String(v);
  if (isFlexPlan(planOf(env, site))) checkFlexAppSettings(settings);
  // The PUT replaces the whole set: names not in the body are removed.
  siteSecrets(site).appSettings = settings;
  site.updatedAt = new Date().toISOString();
  env.store.markDirty();
  return settingsReply(site);
}

function webConfigReply(site: StoredResource) {
  return {
    status: 200,
    body: { id: `${site.id}/config/web`, name: 'web', type: CONFIG_TYPE, location: site.body.location, properties: site.body.properties.siteConfig },
  };
}

/** PUT replaces the siteConfig (over App Service defaults), PATCH merges into it. */
function writeWebConfig(env: LocalAzureContext, ctx: RequestContext, merge: boolean) {
  const site = getSite(env, ctx);
  const given = (ctx.body as any)?.properties;
  if (!given || typeof given !== 'object') throw propertiesMissing();
  const flex = isFlexPlan(planOf(env, site));
  if (flex) checkFlexSiteConfig(given);
  const current = site.body.properties.siteConfig ?? {};
  site.body.properties.siteConfig = siteConfigFor(merge ? { ...current, ...given } : given, flex);
  site.updatedAt = new Date().toISOString();
  env.store.markDirty();
  return webConfigReply(site);
}

export function registerConfigRoutes(env: LocalAzureContext): void {
  const config = `${SITE_TEMPLATE}/config`;
  webRoute(env, { method: 'PUT', template: `${config}/appsettings`, resourceType: CONFIG_TYPE, handler: (ctx) => putAppSettings(env, ctx) });
  webRoute(env, {
    method: 'POST',
    template: `${config}/appsettings/list`,
    resourceType: CONFIG_TYPE,
    readOnly: true,
    handler: (ctx) => settingsReply(getSite(env, ctx)),
  });
  webRoute(env, { method: 'GET', template: `${config}/web`, resourceType: CONFIG_TYPE, handler: (ctx) => webConfigReply(getSite(env, ctx)) });
  webRoute(env, { method: 'PUT', template: `${config}/web`, resourceType: CONFIG_TYPE, handler: (ctx) => writeWebConfig(env, ctx, false) });
  webRoute(env, { method: 'PATCH', template: `${config}/web`, resourceType: CONFIG_TYPE, handler: (ctx) => writeWebConfig(env, ctx, true) });

  // Deployment credentials: user "$<app>", and scmUri with them embedded, as Kudu clients use it.
  webRoute(env, {
    method: 'POST',
    template: `${config}/publishingcredentials/list`,
    resourceType: CONFIG_TYPE,
    readOnly: true,
    handler: (ctx) => {
      const site = getSite(env, ctx);
      const user = `$${site.body.name}`;
      const password = siteSecrets(site).publishingPassword;
      const scm = env.hosts.hostOf(site.id, 'scm');
      return {
        status: 200,
        body: {
          id: `${site.id}/publishingcredentials/${user}`,
          name: site.body.name,
          type: 'Microsoft.Web/sites/publishingcredentials',
          location: site.body.location,
          properties: {
            name: null,
            publishingUserName: user,
            publishingPassword: password,
            publishingPasswordHash: null,
            publishingPasswordHashSalt: null,
            metadata: null,
            isDeleted: false,
            scmUri: `https://${user}:${password}@${scm}`,
          },
        },
      };
    },
  });

  webRoute(env, {
    method: 'POST',
    template: `${SITE_TEMPLATE}/restart`,
    resourceType: 'Microsoft.Web/sites',
    handler: (ctx) => {
      getSite(env, ctx);
      return { status: 200 };
    },
  });
}
