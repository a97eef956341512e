// Microsoft.Insights/components (Application Insights), api-version 2020-02-02, the one
// @azure/arm-appinsights 5.0.0-beta.8 sends. PUT is synchronous (the spec lists only 200). Components must be
// workspace-based: classic resources are retired (29 Feb 2024) and this api-version requires WorkspaceResourceId.
import { createHash, randomUUID } from 'node:crypto';
import type { LocalAzureContext } from '../../context.ts';
import { ArmError } from '../../http/arm-error.ts';
import type { RequestContext } from '../../http/router.ts';
import type { StoredResource } from '../../state/store.ts';
import { bodyInvalid, defineResource } from '../resource-kit.ts';
import { trackedLocation } from './tracked-resource.ts';
import { WORKSPACE_TYPE } from './operational-insights.ts';

export const INSIGHTS_API_VERSIONS = ['2020-02-02'] as const;
// Application Insights reports its type (and the provider segment of ids) in lowercase.
export const COMPONENT_TYPE = 'microsoft.insights/components';
const TEMPLATE = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/microsoft.insights/components/{resourceName}';

function componentNameProblem(name: string): string | undefined {
  if (name.length >= 1 && name.length <= 260 && !/[%&\\?/\u0000-\u001f]/.test(name) && !/[ .]$/.test(name)) return undefined;
  return `The resource name '${name}' is invalid. Application Insights names are 1-260 characters, cannot contain %&\\?/ or control characters, and cannot end with a space or period.`;
}

/**
 * The workspace a component sends its data to. Without one Azure refuses to create a classic resource (the
 * error is from new regions; classic is retired everywhere now, so the local Azure refuses it in every region).
 */
function workspaceOf(env: LocalAzureContext, given: unknown): string {
  if (given === undefined || given === null || given === '') {
    throw new ArmError(400, 'BadRequest', "Region doesn't support Classic resource mode for Application Insights resources. Please use Workspace-based mode.");
  }
  const invalid = new ArmError(400, 'BadRequest', 'Provided WorkspaceResourceId is invalid');
  if (typeof given !== 'string' || !/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.operationalinsights\/workspaces\/[^/]+$/i.test(given)) throw invalid;
  const ws = env.store.get(given);
  if (!ws || ws.type.toLowerCase() !== WORKSPACE_TYPE.toLowerCase()) throw invalid;
  return given;
}

function componentBody(env: LocalAzureContext, ctx: RequestContext, existing: StoredResource | undefined, body: any): Record<string, any> {
  const name = existing?.body.name ?? ctx.params.resourceName;
  const location = trackedLocation(body, COMPONENT_TYPE, existing, ctx.params.resourceGroupName);
  if (typeof body.kind !== 'string') throw bodyInvalid([{ path: 'kind', message: "Required property 'kind' of type string is missing or invalid." }]);
  const p = body.properties && typeof body.properties === 'object' ? body.properties : {};
  const prev = existing?.body.properties ?? {};
  const workspace = workspaceOf(env, p.WorkspaceResourceId ?? prev.WorkspaceResourceId);
  const appId = prev.AppId ?? randomUUID();
  const key = prev.InstrumentationKey ?? randomUUID();
  const properties: Record<string, any> = {
    ApplicationId: name,
    AppId: appId,
    // Application_Type can only be set at create.
    Application_Type: prev.Application_Type ?? p.Application_Type ?? 'web',
    Flow_Type: p.Flow_Type ?? prev.Flow_Type ?? 'Bluefield',
    Request_Source: p.Request_Source ?? prev.Request_Source ?? 'rest',
    InstrumentationKey: key,
    // Not a secret in Azure: GET returns it, and Functions reads it from here into APPLICATIONINSIGHTS_CONNECTION_STRING.
    ConnectionString: `InstrumentationKey=${key};IngestionEndpoint=https://${location}-0.in.applicationinsights.azure.com/;LiveEndpoint=https://${location}.livediagnostics.monitor.azure.com/;ApplicationId=${appId}`,
    Name: name,
    CreationDate: prev.CreationDate ?? new Date().toISOString(),
    // Application Insights reports the subscription id here.
    TenantId: env.subscriptionId,
    provisioningState: 'Succeeded',
    RetentionInDays: 90,
    WorkspaceResourceId: workspace,
    IngestionMode: 'LogAnalytics',
    publicNetworkAccessForIngestion: p.publicNetworkAccessForIngestion ?? prev.publicNetworkAccessForIngestion ?? 'Enabled',
    publicNetworkAccessForQuery: p.publicNetworkAccessForQuery ?? prev.publicNetworkAccessForQuery ?? 'Enabled',
  };
  for (const k of ['SamplingPercentage', 'DisableIpMasking', 'ImmediatePurgeDataOn30Days', 'DisableLocalAuth', 'ForceCustomerStorageForProfiler', 'HockeyAppId']) {
    const v = p[k] ?? prev[k];
    if (v !== undefined) properties[k] = v;
  }
  return { location, kind: body.kind, tags: body.tags ?? {}, etag: etagOf(properties, body.tags), properties };
}

const etagOf = (properties: unknown, tags: unknown): string =>
  `"${createHash('sha256').update(JSON.stringify([properties, tags, Date.now()])).digest('hex').slice(0, 32)}"`;

export function registerInsights(env: LocalAzureContext): void {
  defineResource(env, {
    type: COMPONENT_TYPE,
    template: TEMPLATE,
    apiVersions: INSIGHTS_API_VERSIONS,
    specOperation: 'Components_CreateOrUpdate',
    nameRule: componentNameProblem,
    build: (ctx, existing, body) => ({ body: componentBody(env, ctx, existing, body) }),
    // Components_CreateOrUpdate lists only 200, for a new component as for an update.
    putReply: (_ctx, stored) => ({ status: 200, body: stored.body }),
    // Components_UpdateTags replaces the tags and nothing else.
    patch: (_ctx, existing, body) => {
      const tags = body?.tags ?? {};
      return { body: { tags, etag: etagOf(existing.body.properties, tags) } };
    },
    listTemplates: ['/subscriptions/{subscriptionId}/providers/microsoft.insights/components'],
  });
}
