// Microsoft.Web/sites for function apps (WebApps_CreateOrUpdate / Get / Delete / List, 2025-05-01). A new site
// is a long-running create: 202 with the site and Azure-AsyncOperation, as the spec example
// CreateOrUpdateFunctionAppFlexConsumption.json shows; a PUT on an existing site answers 200 synchronously.
// Every site gets its own loopback HTTPS host (and one for SCM) instead of <name>.azurewebsites.net.
import type { LocalAzureContext } from '../../../context.ts';
import { trackedLocation } from '../tracked-resource.ts';
import { ArmError } from '../../../http/arm-error.ts';
import type { RequestContext, Reply } from '../../../http/router.ts';
import type { StoredResource } from '../../../state/store.ts';
import { asyncOperationReply } from '../../lro.ts';
import { bodyInvalid, checkResourceGroup, defineResource, fillTemplate, systemData } from '../../resource-kit.ts';
import { validateRequestBody } from '../../spec/validate.ts';
import {
  displayLocation, isFlexPlan, newFunctionsKey, PLAN_TYPE, SITE_TEMPLATE, SITE_TYPE, WEB_API_VERSIONS, webRoute,
  type SiteSecrets,
} from './common.ts';
import { AppServiceError, invalidForFlex, serverFarmNotFound, siteNameTaken } from './errors.ts';
import { sitesOnPlan } from './plans.ts';
import {
  appSettingsFromList, checkFlexAppSettings, checkFlexSiteConfig, functionAppConfigFor, resourceConfigFor, siteConfigFor, siteIdentity,
} from './site-body.ts';
import { forgetFunctions } from './functions.ts';

/** 2–60 letters, digits and hyphens, not starting or ending with a hyphen (resource-name-rules). */
const SITE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,58}[A-Za-z0-9])$/;

/** The plan a site PUT names: a full id, or a plan name in the site's resource group. */
function resolvePlan(env: LocalAzureContext, ctx: RequestContext, given: unknown, existing: StoredResource | undefined): StoredResource {
  const ref = typeof given === 'string' && given ? given : existing?.body.properties.serverFarmId;
  if (typeof ref !== 'string' || !ref) throw serverFarmNotFound('');
  const id = ref.startsWith('/')
    ? ref
    : `/subscriptions/${env.subscriptionId}/resourceGroups/${ctx.params.resourceGroupName}/providers/Microsoft.Web/serverfarms/${ref}`;
  const plan = env.store.get(id);
  if (!plan || plan.type !== PLAN_TYPE) throw serverFarmNotFound(id.split('/').pop() ?? '');
  return plan;
}


function newSecrets(appSettings: Record<string, string>): SiteSecrets {
  return {
    appSettings,
    hostKeys: { masterKey: newFunctionsKey(), functionKeys: { default: newFunctionsKey() }, systemKeys: {} },
    functionKeys: {},
    publishingPassword: newFunctionsKey().slice(0, 54),
  };
}

function buildSite(env: LocalAzureContext, ctx: RequestContext, existing: StoredResource | undefined, body: any): StoredResource {
  const { name, resourceGroupName: rg } = ctx.params;
  const props = body.properties ?? {};
  const location = trackedLocation(body, SITE_TYPE, undefined, '');
  const plan = resolvePlan(env, ctx, props.serverFarmId, existing);
  const flex = isFlexPlan(plan);
  const given = props.siteConfig as Record<string, any> | undefined;
  const settings = appSettingsFromList(given?.appSettings);
  if (flex) {
    if (!existing && !props.functionAppConfig) {
      throw invalidForFlex(
        'properties.functionAppConfig',
        `The requested ServerFarm ${plan.body.name} is configured for FlexConsumption.  But FunctionAppConfig is not included in the site create request. FunctionAppConfig is required on create for FlexConsumption sites`,
      );
    }
    checkFlexSiteConfig(given);
    if (settings) checkFlexAppSettings(settings);
  }
  const before = existing?.body.properties ?? {};
  const functionAppConfig = flex ? (props.functionAppConfig ? functionAppConfigFor(props.functionAppConfig) : before.functionAppConfig) : undefined;
  const properties: Record<string, any> = {
    name,
    state: 'Running',
    usageState: 'Normal',
    availabilityState: 'Normal',
    enabled: props.enabled ?? true,
    repositorySiteName: name,
    serverFarmId: plan.id,
    reserved: plan.body.properties.reserved === true,
    isXenon: false,
    hyperV: false,
    siteConfig: given ? siteConfigFor(given, flex) : (before.siteConfig ?? siteConfigFor(undefined, flex)),
    scmSiteAlsoStopped: false,
    clientAffinityEnabled: props.clientAffinityEnabled ?? false,
    clientCertEnabled: props.clientCertEnabled ?? false,
    clientCertMode: props.clientCertMode ?? 'Required',
    hostNamesDisabled: false,
    containerSize: flex ? functionAppConfig.scaleAndConcurrency.instanceMemoryMB : 1536,
    dailyMemoryTimeQuota: props.dailyMemoryTimeQuota ?? 0,
    resourceGroup: rg,
    httpsOnly: props.httpsOnly ?? before.httpsOnly ?? false,
    redundancyMode: 'None',
    publicNetworkAccess: props.publicNetworkAccess ?? 'Enabled',
    storageAccountRequired: false,
    keyVaultReferenceIdentity: props.keyVaultReferenceIdentity ?? 'SystemAssigned',
    // Everything a local site sends or receives goes through the loopback interface.
    outboundIpAddresses: '127.0.0.1',
    possibleOutboundIpAddresses: '127.0.0.1',
    sku: plan.body.sku?.tier,
  };
  if (flex) {
    properties.functionAppConfig = functionAppConfig;
    properties.resourceConfig = resourceConfigFor(functionAppConfig.scaleAndConcurrency.instanceMemoryMB);
  }
  const out: Record<string, any> = {
    id: existing?.id ?? fillTemplate(SITE_TEMPLATE, ctx.params),
    name: existing?.body.name ?? name,
    type: SITE_TYPE,
    kind: typeof body.kind === 'string' ? body.kind : (existing?.body.kind ?? 'app'),
    location: displayLocation(location),
    properties,
    systemData: systemData(existing),
  };
  const identity = siteIdentity(body.identity, existing?.body.identity, env.store.doc.tenantId);
  if (identity) out.identity = identity;
  if (body.tags) out.tags = body.tags;
  const secrets = (existing?.secrets as SiteSecrets | undefined) ?? newSecrets(settings ?? {});
  if (existing && settings) secrets.appSettings = settings;
  const now = new Date().toISOString();
  return { id: out.id, type: SITE_TYPE, body: out, secrets, createdAt: existing?.createdAt ?? now, updatedAt: now };
}

async function putSite(env: LocalAzureContext, ctx: RequestContext): Promise<Reply> {
  const { name } = ctx.params;
  checkResourceGroup(env, ctx.params);
  if (!SITE_NAME.test(name)) throw new AppServiceError(400, 'BadRequest', `The host name ${name}.azurewebsites.net is invalid.`);
  const body = ctx.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized: expected a JSON object.');
  }
  const problems = validateRequestBody('WebApps_CreateOrUpdate', body);
  if (problems.length) throw bodyInvalid(problems);
  const id = fillTemplate(SITE_TEMPLATE, ctx.params);
  const existing = env.store.get(id);
  if (!existing && env.store.all().some((r) => r.type === SITE_TYPE && r.body.name.toLowerCase() === name.toLowerCase())) {
    throw siteNameTaken(name);
  }
  const running = existing && env.lro.running(existing.id);
  if (running) {
    throw new AppServiceError(409, 'Conflict', `Cannot modify this site because another operation is in progress. Details: Id: ${running.id}, OperationName: Create, SiteName: ${existing.body.name}`);
  }
  const stored = env.store.put(buildSite(env, ctx, existing, body));
  await env.hosts.ensure(stored.id, 'function-app');
  await env.hosts.ensure(stored.id, 'scm');
  if (existing) return { status: 200, body: viewSite(env, stored) };
  const op = env.lro.start(ctx, stored, 'provision');
  const poll = `${env.baseUrl}/subscriptions/${env.subscriptionId}/providers/Microsoft.Web/sites/${stored.body.name}/operationResults/${op.id}?api-version=${ctx.apiVersion}`;
  const retry = env.latency.retryAfterSeconds(SITE_TYPE);
  return { status: 202, body: viewSite(env, stored), headers: { 'Azure-AsyncOperation': poll, ...(retry ? { 'Retry-After': String(retry) } : {}) } };
}

/** The site as GET returns it: current loopback host names filled in, never settings or keys. */
export function viewSite(env: LocalAzureContext, stored: StoredResource): Record<string, any> {
  const body = structuredClone(stored.body);
  // The LRO engine marks provisioning on properties; sites have no provisioningState on the wire.
  delete body.properties.provisioningState;
  const host = env.hosts.hostOf(stored.id, 'function-app') ?? `${body.name}.azurewebsites.net`;
  const scm = env.hosts.hostOf(stored.id, 'scm') ?? `${body.name}.scm.azurewebsites.net`;
  Object.assign(body.properties, {
    defaultHostName: host,
    hostNames: [host],
    enabledHostNames: [host, scm],
    hostNameSslStates: [
      { name: host, sslState: 'Disabled', hostType: 'Standard' },
      { name: scm, sslState: 'Disabled', hostType: 'Repository' },
    ],
    lastModifiedTimeUtc: stored.updatedAt.replace(/Z$/, ''),
  });
  return body;
}

export function registerSites(env: LocalAzureContext): void {
  webRoute(env, { method: 'PUT', template: SITE_TEMPLATE, resourceType: SITE_TYPE, handler: (ctx) => putSite(env, ctx) });
  defineResource(env, {
    type: SITE_TYPE,
    template: SITE_TEMPLATE,
    apiVersions: WEB_API_VERSIONS,
    without: ['PUT'],
    build: () => {
      throw new Error('sites are written by putSite');
    },
    listTemplates: ['/subscriptions/{subscriptionId}/providers/Microsoft.Web/sites'],
    view: (e, stored) => viewSite(e, stored),
    deleteReply: (ctx, stored) => {
      const planId = stored.body.properties.serverFarmId as string;
      env.deleteResourceTree(stored.id);
      // ?deleteEmptyServerFarm=true also removes the plan once no site uses it.
      if (ctx.query.get('deleteEmptyServerFarm') === 'true' && env.store.get(planId) && !sitesOnPlan(env, planId).length) {
        env.deleteResourceTree(planId);
      }
      return { status: 200 };
    },
  });

  // Azure-AsyncOperation of a site create: {status} until the operation settles.
  webRoute(env, {
    method: 'GET',
    template: '/subscriptions/{subscriptionId}/providers/Microsoft.Web/sites/{name}/operationResults/{operationId}',
    resourceType: 'Microsoft.Web/sites/operationResults',
    handler: (ctx) => {
      const op = env.lro.get(ctx.params.operationId);
      if (!op) throw new ArmError(404, 'NotFound', `The operation '${ctx.params.operationId}' was not found.`);
      return asyncOperationReply(env, op, SITE_TYPE);
    },
  });

  // A site deleted directly or with its resource group gives back its loopback ports.
  env.onDeleted(SITE_TYPE, (e, r) => {
    e.hosts.release(r.id);
    forgetFunctions(e, r.id);
  });
}
