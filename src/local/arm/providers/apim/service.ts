// Microsoft.ApiManagement/service (apimdeployment.json 2024-05-01): create/update as an LRO the way the RP answers
// (201/200 + Azure-AsyncOperation and Location = …/service/{svc}/operationresults/{id}?api-version=…&asyncResponse,
// body "Activating"/"Updating", polls {"status":"InProgress"} → "Succeeded"; recorded in azure-sdk-assets
// recording_apimanagementservice_create_test.json), soft delete (202 + the same headers, body "Deleting"), global
// names, the soft-deleted-name conflict, restore, lists and checkNameAvailability.
import { randomUUID } from 'node:crypto';
import type { LocalAzureContext } from '../../../context.ts';
import { ArmError } from '../../../http/arm-error.ts';
import type { Reply, RequestContext } from '../../../http/router.ts';
import type { StoredResource } from '../../../state/store.ts';
import { registerNamespace } from '../../../http/server.ts';
import { asyncOperationReply } from '../../lro.ts';
import { LOCATIONS, NO_APIM_CONSUMPTION, isKnownLocation, displayName } from '../../locations.ts';
import { bodyInvalid, checkResourceGroup, normalizeLocation, systemData } from '../../resource-kit.ts';
import { validateRequestBody } from '../../spec/validate.ts';
import { SERVICE_TEMPLATE, SERVICE_TYPE, applyFilter, fieldError, nextEtag, route, serviceId } from './common.ts';
import { findDeleted, restoreSnapshot } from './deleted-services.ts';
import { ensureMasterSubscription } from './subscriptions.ts';

const NAME_RE = /^[a-zA-Z](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;

/** ARM answers with the region's display name ("East US"), as the recordings show. */
export const displayLocation = (loc: string): string => displayName(normalizeLocation(loc));

const SKUS = ['Developer', 'Standard', 'Premium', 'Basic', 'Consumption', 'Isolated', 'BasicV2', 'StandardV2'];

const opUrl = (env: LocalAzureContext, id: string, opId: string, apiVersion: string) =>
  `${env.baseUrl}${id}/operationresults/${opId}?api-version=${apiVersion}&asyncResponse`;

function lroHeaders(env: LocalAzureContext, url: string): Record<string, string> {
  const retry = env.latency.retryAfterSeconds(SERVICE_TYPE);
  return { 'Azure-AsyncOperation': url, Location: url, ...(retry ? { 'Retry-After': String(retry) } : {}) };
}

/** Service replies carry the entity tag, except the delete's 202 (as recorded). */
const reply = (status: number, body: Record<string, any>, headers: Record<string, string>): Reply => ({
  status,
  body,
  headers: status === 202 ? headers : { ETag: `"${body.etag}"`, ...headers },
});

export function registerService(env: LocalAzureContext): void {
  registerNamespace('Microsoft.ApiManagement');

  route(env, 'PUT', SERVICE_TEMPLATE, SERVICE_TYPE, async (ctx) => {
    checkResourceGroup(env, ctx.params);
    const name = ctx.params.serviceName;
    if (name.length > 50 || !NAME_RE.test(name)) {
      throw new ArmError(400, 'InvalidResourceName', `The service name '${name}' is invalid. It must be 1-50 characters, start with a letter, end with a letter or digit, and contain only letters, digits and hyphens.`);
    }
    const body: any = ctx.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw new ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
    const id = serviceId(env, ctx.params);
    const existing = env.store.get(id);
    if (!existing) {
      const deleted = findDeleted(env, name);
      if (body.properties?.restore === true) {
        if (!deleted) throw new ArmError(404, 'ResourceNotFound', `Api service ${name} was not found in the soft-deleted state; there is nothing to restore.`);
        return restore(ctx, deleted.properties.serviceId, id);
      }
      if (deleted) {
        throw new ArmError(
          409,
          'ServiceAlreadyExistsInSoftDeletedState',
          `Api service ${name} was soft-deleted. In order to create the new service with the same name, you have to either undelete the service or purge it. See https://aka.ms/apimsoftdelete.`,
        );
      }
    }
    const problems = validateRequestBody('ApiManagementService_CreateOrUpdate', body);
    if (problems.length) throw bodyInvalid(problems);
    if (!existing) {
      const taken = env.store.all().some((r) => r.type === SERVICE_TYPE && r.body.name.toLowerCase() === name.toLowerCase());
      if (taken) throw new ArmError(409, 'ServiceAlreadyExists', `Api service already exists: ${name}`);
      return create(ctx, id, body);
    }
    if (env.lro.running(existing.id)) {
      throw new ArmError(409, 'AnotherOperationInProgress', `Another operation on '${name}' is in progress. Try again after it completes.`);
    }
    return update(ctx, existing, body);
  });

  route(env, 'GET', SERVICE_TEMPLATE, SERVICE_TYPE, (ctx) => {
    const r = find(env, ctx);
    return reply(200, r.body, {});
  });

  route(env, 'PATCH', SERVICE_TEMPLATE, SERVICE_TYPE, (ctx) => {
    const r = find(env, ctx);
    const body: any = ctx.body ?? {};
    const p = r.body.properties;
    for (const k of ['publisherEmail', 'publisherName', 'notificationSenderEmail', 'customProperties', 'publicNetworkAccess', 'disableGateway']) {
      if (body.properties?.[k] !== undefined) p[k] = body.properties[k];
    }
    if (body.tags !== undefined) r.body.tags = body.tags;
    if (body.identity !== undefined) r.body.identity = identityOf(env, body.identity, r.body.identity);
    if (body.sku?.capacity !== undefined && r.body.sku.name !== 'Consumption') r.body.sku.capacity = body.sku.capacity;
    r.body.etag = nextEtag(env);
    r.body.systemData = systemData(r);
    env.store.markDirty();
    return reply(200, r.body, {});
  });

  route(env, 'DELETE', SERVICE_TEMPLATE, SERVICE_TYPE, (ctx) => {
    checkResourceGroup(env, ctx.params);
    const r = env.store.get(serviceId(env, ctx.params));
    if (!r) return { status: 204 };
    if (env.lro.running(r.id)) {
      throw new ArmError(409, 'AnotherOperationInProgress', `Another operation on '${r.body.name}' is in progress. Try again after it completes.`);
    }
    Object.assign(r.body.properties, { provisioningState: 'Deleting', targetProvisioningState: 'Deleting' });
    r.body.etag = nextEtag(env);
    env.store.markDirty();
    const snapshot = structuredClone(r.body);
    const op = env.lro.start(ctx, r, 'delete');
    return reply(202, snapshot, lroHeaders(env, opUrl(env, r.id, op.id, ctx.apiVersion)));
  });

  // The Azure-AsyncOperation / Location target of create, update and delete; it outlives a deleted service.
  route(env, 'GET', `${SERVICE_TEMPLATE}/operationresults/{operationId}`, SERVICE_TYPE, (ctx) => {
    const op = env.lro.get(ctx.params.operationId);
    if (!op || !op.resourceKey.startsWith(serviceId(env, ctx.params).toLowerCase())) {
      throw new ArmError(404, 'ResourceNotFound', `The operation '${ctx.params.operationId}' was not found.`);
    }
    return asyncOperationReply(env, op, SERVICE_TYPE);
  });

  const list = (scope: (ctx: RequestContext) => string) => (ctx: RequestContext) => {
    if (ctx.params.resourceGroupName) checkResourceGroup(env, ctx.params);
    const prefix = scope(ctx).toLowerCase() + '/';
    const value = env.store
      .all()
      .filter((r) => r.type === SERVICE_TYPE && r.id.toLowerCase().startsWith(prefix))
      .map((r) => r.body);
    return { status: 200, body: { value: applyFilter(value, ctx.query.get('$filter')), nextLink: null } };
  };
  route(env, 'GET', '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ApiManagement/service', SERVICE_TYPE,
    list((ctx) => `/subscriptions/${env.subscriptionId}/resourceGroups/${ctx.params.resourceGroupName}`));
  route(env, 'GET', '/subscriptions/{subscriptionId}/providers/Microsoft.ApiManagement/service', SERVICE_TYPE,
    list(() => `/subscriptions/${env.subscriptionId}`));

  route(env, 'POST', '/subscriptions/{subscriptionId}/providers/Microsoft.ApiManagement/checkNameAvailability', SERVICE_TYPE, (ctx) => {
    const name = String((ctx.body as any)?.name ?? '');
    if (!NAME_RE.test(name) || name.length > 50) return { status: 200, body: { nameAvailable: false, reason: 'Invalid', message: `Invalid service name: ${name}` } };
    const taken = env.store.all().some((r) => r.type === SERVICE_TYPE && r.body.name.toLowerCase() === name.toLowerCase()) || !!findDeleted(env, name);
    return { status: 200, body: taken ? { nameAvailable: false, reason: 'AlreadyExists', message: `${name} is already in use.` } : { nameAvailable: true, reason: 'Valid', message: '' } };
  }, true);

  env.lro.onComplete(SERVICE_TYPE, 'provision', (_env, r) => {
    const p = r.body.properties;
    p.targetProvisioningState = '';
    p.platformVersion = r.body.sku.name === 'Consumption' ? 'mtv1' : 'stv2';
    if (r.body.sku.name !== 'Consumption') p.gatewayRegionalUrl = p.gatewayUrl;
    r.body.etag = nextEtag(env);
  });

  async function create(ctx: RequestContext, id: string, body: any): Promise<Reply> {
    const location = normalizeLocation(String(body.location ?? ''));
    if (!location) throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.');
    if (!isKnownLocation(location)) {
      throw new ArmError(400, 'LocationNotAvailableForResourceType',
        `The provided location '${body.location}' is not available for resource type 'Microsoft.ApiManagement/service'. List of available regions for the resource type is '${LOCATIONS.map(displayLocation).join(',')}'.`);
    }
    const skuName = SKUS.find((s) => s.toLowerCase() === String(body.sku?.name ?? '').toLowerCase());
    if (!skuName) throw fieldError('sku', `Sku '${body.sku?.name}' is not a valid API Management SKU. Valid values: ${SKUS.join(', ')}.`);
    if (skuName === 'Consumption' && NO_APIM_CONSUMPTION.has(location)) {
      throw new ArmError(400, 'LocationNotAvailableForSku', `The 'Consumption' SKU of API Management is not available in location '${displayLocation(location)}'.`);
    }
    const consumption = skuName === 'Consumption';
    const host = await env.hosts.ensure(id, 'apim-gateway');
    const p = body.properties ?? {};
    const stored: StoredResource = env.store.put({
      id,
      type: SERVICE_TYPE,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      body: {
        id,
        name: ctx.params.serviceName,
        type: SERVICE_TYPE,
        tags: body.tags ?? {},
        location: displayLocation(location),
        etag: nextEtag(env),
        properties: {
          publisherEmail: p.publisherEmail,
          publisherName: p.publisherName,
          notificationSenderEmail: p.notificationSenderEmail ?? 'apimgmt-noreply@mail.windowsazure.com',
          provisioningState: 'Activating',
          targetProvisioningState: 'Activating',
          createdAtUtc: new Date().toISOString(),
          gatewayUrl: `https://${host}`,
          gatewayRegionalUrl: null,
          portalUrl: null,
          developerPortalUrl: null,
          managementApiUrl: null,
          scmUrl: null,
          hostnameConfigurations: [proxyHostname(host)],
          publicIPAddresses: null,
          privateIPAddresses: null,
          additionalLocations: p.additionalLocations ?? null,
          virtualNetworkConfiguration: p.virtualNetworkConfiguration ?? null,
          customProperties: p.customProperties ?? null,
          virtualNetworkType: p.virtualNetworkType ?? 'None',
          certificates: p.certificates ?? null,
          ...(consumption ? { enableClientCertificate: p.enableClientCertificate ?? false } : {}),
          disableGateway: p.disableGateway ?? false,
          natGatewayState: p.natGatewayState ?? 'Disabled',
          outboundPublicIPAddresses: null,
          apiVersionConstraint: p.apiVersionConstraint ?? { minApiVersion: null },
          publicIpAddressId: p.publicIpAddressId ?? null,
          publicNetworkAccess: p.publicNetworkAccess ?? 'Enabled',
          privateEndpointConnections: null,
          platformVersion: 'undetermined',
          legacyPortalStatus: consumption ? 'Disabled' : (p.legacyPortalStatus ?? 'Enabled'),
          developerPortalStatus: consumption ? 'Disabled' : (p.developerPortalStatus ?? 'Enabled'),
        },
        sku: { name: skuName, capacity: consumption ? 0 : Number(body.sku.capacity ?? 1) },
        identity: identityOf(env, body.identity, undefined),
        zones: body.zones ?? null,
        systemData: systemData(undefined),
      },
    });
    ensureMasterSubscription(env, id);
    const snapshot = structuredClone(stored.body);
    const op = env.lro.start(ctx, stored, 'provision');
    return reply(201, snapshot, lroHeaders(env, opUrl(env, id, op.id, ctx.apiVersion)));
  }

  function update(ctx: RequestContext, r: StoredResource, body: any): Reply {
    const location = normalizeLocation(String(body.location ?? ''));
    if (location && location !== normalizeLocation(r.body.location)) {
      throw new ArmError(400, 'InvalidResourceLocation',
        `The resource '${r.body.name}' already exists in location '${normalizeLocation(r.body.location)}' in resource group '${ctx.params.resourceGroupName}'. A resource with the same name cannot be created in location '${location}'. Please select a new resource name.`);
    }
    const wasConsumption = r.body.sku.name === 'Consumption';
    if (body.sku?.name && (String(body.sku.name).toLowerCase() === 'consumption') !== wasConsumption) {
      throw fieldError('sku', 'Migration to or from the Consumption tier is not supported.');
    }
    const p = body.properties ?? {};
    const props = r.body.properties;
    for (const k of ['publisherEmail', 'publisherName', 'notificationSenderEmail', 'customProperties', 'publicNetworkAccess', 'disableGateway',
      'additionalLocations', 'virtualNetworkConfiguration', 'virtualNetworkType', 'certificates', 'apiVersionConstraint', 'natGatewayState']) {
      if (p[k] !== undefined) props[k] = p[k];
    }
    if (wasConsumption && p.enableClientCertificate !== undefined) props.enableClientCertificate = p.enableClientCertificate;
    Object.assign(props, { provisioningState: 'Updating', targetProvisioningState: 'Updating' });
    r.body.tags = body.tags ?? r.body.tags;
    r.body.identity = body.identity !== undefined ? identityOf(env, body.identity, r.body.identity) : r.body.identity;
    if (!wasConsumption && body.sku?.capacity !== undefined) r.body.sku.capacity = Number(body.sku.capacity);
    r.body.etag = nextEtag(env);
    r.body.systemData = systemData(r);
    r.updatedAt = new Date().toISOString();
    env.store.markDirty();
    const snapshot = structuredClone(r.body);
    const op = env.lro.start(ctx, r, 'provision');
    return reply(200, snapshot, lroHeaders(env, opUrl(env, r.id, op.id, ctx.apiVersion)));
  }

  /** PUT {properties:{restore:true}}: the soft-deleted service comes back with everything it held; other properties are ignored. */
  async function restore(ctx: RequestContext, originalId: string, id: string): Promise<Reply> {
    if (originalId.toLowerCase() !== id.toLowerCase()) {
      throw fieldError('restore', `The soft-deleted service ${ctx.params.serviceName} belongs to '${originalId}'; restore it there.`);
    }
    const svc = restoreSnapshot(env, ctx.params.serviceName);
    const host = await env.hosts.ensure(svc.id, 'apim-gateway');
    Object.assign(svc.body.properties, {
      provisioningState: 'Activating',
      targetProvisioningState: 'Activating',
      gatewayUrl: `https://${host}`,
      hostnameConfigurations: [proxyHostname(host)],
    });
    svc.body.etag = nextEtag(env);
    env.store.markDirty();
    const snapshot = structuredClone(svc.body);
    const op = env.lro.start(ctx, svc, 'provision');
    return reply(201, snapshot, lroHeaders(env, opUrl(env, svc.id, op.id, ctx.apiVersion)));
  }
}

function find(env: LocalAzureContext, ctx: RequestContext): StoredResource {
  checkResourceGroup(env, ctx.params);
  const r = env.store.get(serviceId(env, ctx.params));
  if (!r) {
    throw new ArmError(404, 'ResourceNotFound',
      `The Resource 'Microsoft.ApiManagement/service/${ctx.params.serviceName}' under resource group '${ctx.params.resourceGroupName}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
  }
  return r;
}

const proxyHostname = (host: string) => ({
  type: 'Proxy',
  hostName: host,
  encodedCertificate: null,
  keyVaultId: null,
  certificatePassword: null,
  negotiateClientCertificate: false,
  certificate: null,
  defaultSslBinding: true,
  identityClientId: null,
  certificateSource: 'BuiltIn',
  certificateStatus: null,
});

/** Managed identity as ARM reports it: principal ids kept across updates, one per user-assigned identity. */
function identityOf(env: LocalAzureContext, given: any, existing: any): any {
  if (!given) return existing ?? null;
  const type = String(given.type ?? 'None');
  const out: Record<string, any> = { type };
  if (/systemassigned/i.test(type)) {
    out.principalId = existing?.principalId ?? randomUUID();
    out.tenantId = env.store.doc.tenantId;
  }
  if (/userassigned/i.test(type)) {
    out.userAssignedIdentities = Object.fromEntries(
      Object.keys(given.userAssignedIdentities ?? {}).map((k) => [k, existing?.userAssignedIdentities?.[k] ?? { principalId: randomUUID(), clientId: randomUUID() }]),
    );
  }
  return out;
}
