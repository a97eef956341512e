// Microsoft.OperationalInsights/workspaces: the api-version @azure/arm-operationalinsights 11 sends (2025-07-01)
// and the vendored spec's (2025-02-01). Create is a body-mode LRO as the spec's example shows it: 201/200 with
// provisioningState 'Creating', then GET reports 'Succeeded'. Delete is 200, or 202 + Location when it takes time.
import { randomBytes, randomUUID } from 'node:crypto';
import type { LocalAzureContext } from '../../context.ts';
import { ArmError } from '../../http/arm-error.ts';
import type { RequestContext } from '../../http/router.ts';
import type { StoredResource } from '../../state/store.ts';
import { defineResource, systemData } from '../resource-kit.ts';
import { locationReply } from '../lro.ts';
import { trackedLocation } from './tracked-resource.ts';

export const OPERATIONAL_INSIGHTS_API_VERSIONS = ['2025-07-01', '2025-02-01'] as const;
export const WORKSPACE_TYPE = 'Microsoft.OperationalInsights/workspaces';
const NS = '/subscriptions/{subscriptionId}/providers/Microsoft.OperationalInsights';
const TEMPLATE = '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}';

/** The RP's message for a bad name, with the operation id it appends (seen in deployment errors). */
function workspaceNameProblem(name: string): string | undefined {
  const opId = `Operation Id: '${randomBytes(16).toString('hex')}'`;
  if (name.length < 4 || name.length > 63) return `The workspace name must be between 4 and 63 characters. ${opId}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$/.test(name)) {
    return `Workspace name must start and end with an alphanumeric character, and may contain only alphanumeric and hyphen characters. ${opId}`;
  }
  return undefined;
}

/** Tomorrow at midnight UTC: when a daily cap resets. */
function nextQuotaReset(): string {
  const d = new Date();
  d.setUTCHours(24, 0, 0, 0);
  return d.toUTCString();
}

function workspaceBody(ctx: RequestContext, existing: StoredResource | undefined, body: any): Record<string, any> {
  const { subscriptionId, resourceGroupName, workspaceName } = ctx.params;
  const location = trackedLocation(body, WORKSPACE_TYPE, existing, resourceGroupName);
  const p = body.properties && typeof body.properties === 'object' ? body.properties : {};
  const prev = existing?.body.properties ?? {};
  const now = new Date().toISOString();
  // Azure applies PerGB2018 (pay as you go) when no sku is given.
  const skuName = p.sku?.name ?? prev.sku?.name ?? 'PerGB2018';
  const sku: Record<string, any> = { name: skuName, lastSkuUpdate: prev.sku?.name === skuName ? prev.sku.lastSkuUpdate : now };
  const reservation = p.sku?.capacityReservationLevel ?? (prev.sku?.name === skuName ? prev.sku?.capacityReservationLevel : undefined);
  if (reservation !== undefined) sku.capacityReservationLevel = reservation;
  const properties: Record<string, any> = {
    ...prev,
    ...p,
    customerId: prev.customerId ?? randomUUID(),
    provisioningState: prev.provisioningState === 'Succeeded' ? 'Succeeded' : 'Creating',
    sku,
    retentionInDays: p.retentionInDays ?? prev.retentionInDays ?? 30,
    features: { legacy: 0, searchVersion: 1, enableLogAccessUsingOnlyResourcePermissions: true, ...prev.features, ...p.features },
    workspaceCapping: {
      dailyQuotaGb: p.workspaceCapping?.dailyQuotaGb ?? prev.workspaceCapping?.dailyQuotaGb ?? -1,
      quotaNextResetTime: nextQuotaReset(),
      dataIngestionStatus: 'RespectQuota',
    },
    publicNetworkAccessForIngestion: p.publicNetworkAccessForIngestion ?? prev.publicNetworkAccessForIngestion ?? 'Enabled',
    publicNetworkAccessForQuery: p.publicNetworkAccessForQuery ?? prev.publicNetworkAccessForQuery ?? 'Enabled',
    createdDate: prev.createdDate ?? now,
    modifiedDate: now,
  };
  const out: Record<string, any> = {
    // Log Analytics answers with a lowercased id (as in the spec's WorkspacesCreate example); compare ids case-insensitively.
    id: existing?.body.id ?? `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroupName}/providers/microsoft.operationalinsights/workspaces/${workspaceName}`.toLowerCase(),
    location,
    tags: body.tags ?? {},
    properties,
    etag: `"${randomUUID()}"`,
    systemData: systemData(existing),
  };
  if (body.identity) out.identity = body.identity;
  return out;
}

export function registerOperationalInsights(env: LocalAzureContext): void {
  defineResource(env, {
    type: WORKSPACE_TYPE,
    template: TEMPLATE,
    apiVersions: OPERATIONAL_INSIGHTS_API_VERSIONS,
    specOperation: 'Workspaces_CreateOrUpdate',
    nameRule: workspaceNameProblem,
    nameErrorCode: 'InvalidParameter',
    build: (ctx, existing, body) => ({ body: workspaceBody(ctx, existing, body) }),
    putReply: (ctx, stored, created) => {
      // A workspace that is not provisioned yet (new, or failed before) provisions in the background; the
      // poller reads provisioningState from GET. With latency 'none' the operation is done before we answer.
      if (stored.body.properties.provisioningState === 'Creating') env.lro.start(ctx, stored, 'provision');
      return { status: created ? 201 : 200, body: env.store.get(stored.id)!.body };
    },
    deleteReply: (ctx, stored) => {
      if (env.latency.durationMs(WORKSPACE_TYPE, 'delete') === 0) {
        env.deleteResourceTree(stored.id);
        return { status: 200 };
      }
      stored.body.properties.provisioningState = 'Deleting';
      env.store.markDirty();
      const op = env.lro.start(ctx, stored, 'delete');
      const url = `${env.baseUrl}/subscriptions/${env.subscriptionId}/providers/Microsoft.OperationalInsights/locations/${stored.body.location}/operationresults/${op.id}?api-version=${ctx.apiVersion}`;
      const retry = env.latency.retryAfterSeconds(WORKSPACE_TYPE);
      return { status: 202, headers: { Location: url, ...(retry ? { 'Retry-After': String(retry) } : {}) } };
    },
    listTemplates: [`${NS}/workspaces`],
  });

  // The Location a delete hands out: 202 while it runs, then 200.
  env.router.add({
    method: 'GET',
    template: `${NS}/locations/{location}/operationresults/{operationId}`,
    apiVersions: OPERATIONAL_INSIGHTS_API_VERSIONS,
    resourceType: 'Microsoft.OperationalInsights/locations/operationResults',
    handler: (ctx) => {
      const op = env.lro.get(ctx.params.operationId);
      if (!op) throw new ArmError(404, 'NotFound', `The operation '${ctx.params.operationId}' was not found.`);
      return locationReply(env, op, WORKSPACE_TYPE, () => ({ status: 200 }));
    },
  });
}
