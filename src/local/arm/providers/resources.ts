// Microsoft.Resources: resource groups (resources.json 2025-04-01), subscription and provider reads,
// and the operationresults poll URL that resource group deletion hands out.
import type { LocalAzureContext } from '../../context.ts';
import { ArmError } from '../../http/arm-error.ts';
import { defineResource, normalizeLocation } from '../resource-kit.ts';
import { locationReply } from '../lro.ts';
import { isKnownLocation, LOCATIONS } from '../locations.ts';

export const RESOURCES_API_VERSIONS = ['2025-04-01'] as const;
export const SUBSCRIPTIONS_API_VERSIONS = ['2022-12-01'] as const;
const RG_TYPE = 'Microsoft.Resources/resourceGroups';
const RG_TEMPLATE = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}';

export function registerResources(env: LocalAzureContext): void {
  const rg = {
    type: RG_TYPE,
    template: RG_TEMPLATE,
    apiVersions: RESOURCES_API_VERSIONS,
    specOperation: 'ResourceGroups_CreateOrUpdate',
    nameRule: (name: string) =>
      name.length < 1 || name.length > 90 || !/^[-\w._()\p{L}\p{N}]+$/u.test(name) || name.endsWith('.')
        ? `Resource group names only allow up to 90 characters and can only include alphanumeric, underscore, parentheses, hyphen, period (except at end), and Unicode characters that match the allowed characters.`
        : undefined,
    nameErrorCode: 'InvalidResourceGroupName',
    build: (ctx: any, existing: any, body: any) => {
      const location = typeof body.location === 'string' ? normalizeLocation(body.location) : '';
      if (!location) throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.');
      if (!isKnownLocation(location)) {
        throw new ArmError(
          400,
          'LocationNotAvailableForResourceGroup',
          `The provided location '${body.location}' is not available for resource group. List of available regions is '${LOCATIONS.join(',')}'.`,
        );
      }
      if (existing && existing.body.location !== location) {
        throw new ArmError(
          409,
          'InvalidResourceGroupLocation',
          `Invalid resource group location '${location}'. The Resource group already exists in location '${existing.body.location}'.`,
        );
      }
      void ctx;
      const out: Record<string, any> = { location, properties: { provisioningState: 'Succeeded' } };
      if (body.tags) out.tags = body.tags;
      if (body.managedBy) out.managedBy = body.managedBy;
      return { body: out };
    },
    listTemplates: [],
    deleteMissingStatus: 404,
    deleteReply: (ctx: any, stored: any) => {
      stored.body.properties.provisioningState = 'Deleting';
      env.store.markDirty();
      const op = env.lro.start(ctx, stored, 'delete');
      const url = `${env.baseUrl}/subscriptions/${env.subscriptionId}/operationresults/${op.id}?api-version=${ctx.apiVersion}`;
      const retry = env.latency.retryAfterSeconds(RG_TYPE);
      return { status: 202, headers: { Location: url, ...(retry ? { 'Retry-After': String(retry) } : {}) } };
    },
    patch: (_ctx: any, existing: any, body: any) => ({ body: { tags: body.tags ?? existing.body.tags } }),
  };
  defineResource(env, rg);

  env.router.add({
    method: 'HEAD',
    template: RG_TEMPLATE,
    apiVersions: RESOURCES_API_VERSIONS,
    resourceType: RG_TYPE,
    handler: (ctx) => ({ status: env.store.get(`/subscriptions/${env.subscriptionId}/resourceGroups/${ctx.params.resourceGroupName}`) ? 204 : 404 }),
  });

  env.router.add({
    method: 'GET',
    template: '/subscriptions/{subscriptionId}/operationresults/{operationId}',
    apiVersions: RESOURCES_API_VERSIONS,
    resourceType: 'Microsoft.Resources/operationResults',
    handler: (ctx) => {
      const op = env.lro.get(ctx.params.operationId);
      if (!op) throw new ArmError(404, 'NotFound', `The operation '${ctx.params.operationId}' was not found.`);
      return locationReply(env, op, RG_TYPE, () => ({ status: 200 }));
    },
  });

  // Subscriptions (@azure/arm-resources-subscriptions 3.0.0 sends 2022-12-01): the local Azure has exactly one.
  const subscription = () => ({
    id: `/subscriptions/${env.subscriptionId}`,
    subscriptionId: env.subscriptionId,
    tenantId: env.store.doc.tenantId,
    displayName: 'Local Azure',
    state: 'Enabled',
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
    authorizationSource: 'RoleBased',
  });
  env.router.add({
    method: 'GET',
    template: '/subscriptions',
    apiVersions: SUBSCRIPTIONS_API_VERSIONS,
    resourceType: 'Microsoft.Resources/subscriptions',
    handler: () => ({ status: 200, body: { value: [subscription()] } }),
  });
  env.router.add({
    method: 'GET',
    template: '/subscriptions/{subscriptionId}',
    apiVersions: SUBSCRIPTIONS_API_VERSIONS,
    resourceType: 'Microsoft.Resources/subscriptions',
    handler: () => ({ status: 200, body: subscription() }),
  });
  env.router.add({
    method: 'GET',
    template: '/subscriptions/{subscriptionId}/locations',
    apiVersions: SUBSCRIPTIONS_API_VERSIONS,
    resourceType: 'Microsoft.Resources/subscriptions/locations',
    handler: () => ({
      status: 200,
      body: { value: LOCATIONS.map((name) => ({ id: `/subscriptions/${env.subscriptionId}/locations/${name}`, name, type: 'Region', displayName: name, regionalDisplayName: name })) },
    }),
  });

  // Provider registration: every namespace is registered in the local Azure; register answers as ARM does.
  const providerBody = (ns: string) => ({
    id: `/subscriptions/${env.subscriptionId}/providers/${ns}`,
    namespace: ns,
    registrationState: 'Registered',
    registrationPolicy: 'RegistrationRequired',
    resourceTypes: [],
  });
  env.router.add({
    method: 'POST',
    template: '/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}/register',
    apiVersions: RESOURCES_API_VERSIONS,
    resourceType: 'Microsoft.Resources/providers',
    handler: (ctx) => ({ status: 200, body: providerBody(ctx.params.resourceProviderNamespace) }),
  });

  // GET /subscriptions/{s}/providers/{ns}: every namespace the local Azure serves is registered.
  env.router.add({
    method: 'GET',
    template: '/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}',
    apiVersions: RESOURCES_API_VERSIONS,
    resourceType: 'Microsoft.Resources/providers',
    handler: (ctx) => {
      const ns = ctx.params.resourceProviderNamespace;
      return {
        status: 200,
        body: {
          id: `/subscriptions/${env.subscriptionId}/providers/${ns}`,
          namespace: ns,
          registrationState: 'Registered',
          registrationPolicy: 'RegistrationRequired',
          resourceTypes: [],
        },
      };
    },
  });
}
