// The desired stack for `up`, as pure data: every resource with its dependencies and a body built from
// the outputs of what it depends on. Bodies use the SDK models' shapes; providers in src/azure send them.
import { createHash } from 'node:crypto';
import type { DesiredResource, Outputs } from '../engine/types.ts';
import type { StackNames } from './names.ts';

export type HostingPlan = 'flex' | 'consumption';

export interface StackInput {
  names: StackNames;
  subscriptionId: string;
  location: string;
  plan: HostingPlan;
  publisherEmail: string;
  publisherName: string;
  /** The API's OpenAPI document, servers already pointing at the gateway. */
  spec: { text: string; format: 'openapi' | 'openapi+json'; path: string; title: string; sha256: string };
  /** Bring back a soft-deleted APIM service of the same name instead of failing. */
  restore?: boolean;
}

export const TAG = 'apim-fn-collection';
export const NAMED_VALUE_KEY = 'function-app-key';
export const BACKEND_ID = 'function-app';
export const PRODUCT_ID = 'apim-fn';
export const PUBLIC_API_ID = 'public';
export const SUBSCRIPTIONS = ['admin', 'client'] as const;
/** Resource providers the stack needs registered on the subscription (Microsoft.Authorization always is). */
export const RESOURCE_PROVIDERS = ['Microsoft.Storage', 'Microsoft.OperationalInsights', 'Microsoft.Insights', 'Microsoft.Web', 'Microsoft.ApiManagement'] as const;

/** Built-in role definition ids (Azure RBAC), for the Function App's identity on its storage account. */
export const STORAGE_ROLES = {
  blobOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  queueContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  tableContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
} as const;

/** A GUID derived from its inputs, so a role assignment has the same name on every run (like Bicep's guid()). */
export function stableGuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('|').toLowerCase()).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const deploymentContainer = (names: StackNames): string =>
  `app-package-${names.functionApp.toLowerCase().slice(0, 32)}-${createHash('sha256').update(names.functionApp).digest('hex').slice(0, 7)}`;

export const hostKeyName = (names: StackNames): string => `apim-${names.apim}`.toLowerCase();

const out = (o: Outputs, key: string, field: string): any => o[key]?.[field];

export function apiPolicyXml(): string {
  return [
    '<policies>',
    '  <inbound>',
    '    <base />',
    `    <set-backend-service backend-id="${BACKEND_ID}" />`,
    // APIM forwards the subscription key to the backend by default; the function has no use for it.
    '    <set-header name="Ocp-Apim-Subscription-Key" exists-action="delete" />',
    '    <set-query-parameter name="subscription-key" exists-action="delete" />',
    '  </inbound>',
    '  <backend>',
    '    <base />',
    '  </backend>',
    '  <outbound>',
    '    <base />',
    '  </outbound>',
    '  <on-error>',
    '    <base />',
    '  </on-error>',
    '</policies>',
  ].join('\n');
}

/** The public API: the function's docs routes, served through the gateway without a subscription key. */
export function publicApiSpec(title: string): string {
  return JSON.stringify({
    openapi: '3.0.1',
    info: { title: `${title} (public docs)`, version: '1.0.0' },
    paths: {
      '/openapi.json': { get: { operationId: 'openapi', summary: 'OpenAPI document', responses: { '200': { description: 'The API description' } } } },
      '/docs': { get: { operationId: 'docs', summary: 'Swagger UI', responses: { '200': { description: 'The docs page' } } } },
      '/docs/{asset}': {
        get: {
          operationId: 'docs-asset',
          summary: 'Swagger UI asset',
          parameters: [{ name: 'asset', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'A static asset' } },
        },
      },
    },
  });
}

export function desiredStack(input: StackInput): DesiredResource<any>[] {
  const { names, location, plan } = input;
  const tags = { [TAG]: names.collection };
  const flex = plan === 'flex';
  const rg = names.resourceGroup;
  const r: DesiredResource<any>[] = [];
  const add = (key: string, kind: string, label: string, dependsOn: string[], build: (o: Outputs) => any, ident: Record<string, string> = {}) =>
    r.push(Object.assign({ key, kind, label, dependsOn, build }, { ident: { resourceGroup: rg, ...ident } }));

  add('providers', 'providerRegistrations', 'resource provider registrations', [], () => ({ namespaces: [...RESOURCE_PROVIDERS] }));
  add('resourceGroup', 'resourceGroup', `resource group ${rg}`, ['providers'], () => ({ location, tags }), { name: rg });

  add('storage', 'storageAccount', `storage account ${names.storageAccount}`, ['resourceGroup'], () => ({
    location,
    tags,
    sku: { name: 'Standard_LRS' },
    kind: 'StorageV2',
    enableHttpsTrafficOnly: true,
    minimumTlsVersion: 'TLS1_2',
    allowBlobPublicAccess: false,
    // Flex deploys and runs with the app's identity; Linux Consumption needs keys for its content share.
    allowSharedKeyAccess: !flex,
  }), { name: names.storageAccount });

  if (flex) {
    add('container', 'blobContainer', `deployment container ${deploymentContainer(names)}`, ['storage'], () => ({ publicAccess: 'None' }), {
      account: names.storageAccount,
      name: deploymentContainer(names),
    });
  }

  add('workspace', 'workspace', `Log Analytics workspace ${names.workspace}`, ['resourceGroup'], () => ({ location, tags, sku: { name: 'PerGB2018' }, retentionInDays: 30 }), {
    name: names.workspace,
  });

  add('insights', 'insights', `Application Insights ${names.insights}`, ['workspace'], (o) => ({
    location,
    tags,
    kind: 'web',
    applicationType: 'web',
    workspaceResourceId: out(o, 'workspace', 'id'),
  }), { name: names.insights });

  add('plan', 'plan', `${flex ? 'Flex Consumption' : 'Linux Consumption'} plan ${names.plan}`, ['resourceGroup'], () => ({
    location,
    tags,
    kind: 'functionapp',
    sku: flex ? { name: 'FC1', tier: 'FlexConsumption' } : { name: 'Y1', tier: 'Dynamic' },
    reserved: true,
  }), { name: names.plan });

  add('functionApp', 'functionApp', `function app ${names.functionApp}`, flex ? ['plan', 'storage', 'container'] : ['plan', 'storage'], (o) => ({
    location,
    tags,
    kind: 'functionapp,linux',
    identity: { type: 'SystemAssigned' },
    serverFarmId: out(o, 'plan', 'id'),
    reserved: true,
    httpsOnly: true,
    // Flex has no FTP endpoint and rejects ftpsState/linuxFxVersion (its runtime is in functionAppConfig).
    siteConfig: { minTlsVersion: '1.2', ...(flex ? {} : { ftpsState: 'Disabled', linuxFxVersion: 'Node|22' }) },
    ...(flex
      ? {
          functionAppConfig: {
            deployment: {
              storage: {
                type: 'blobContainer',
                value: out(o, 'storage', 'blobEndpoint') && `${out(o, 'storage', 'blobEndpoint')}${deploymentContainer(names)}`,
                authentication: { type: 'SystemAssignedIdentity' },
              },
            },
            runtime: { name: 'node', version: '22' },
            scaleAndConcurrency: { instanceMemoryMB: 2048, maximumInstanceCount: 100 },
          },
        }
      : {}),
  }), { name: names.functionApp });

  if (flex) {
    for (const [role, id] of Object.entries(STORAGE_ROLES)) {
      add(`role-${role}`, 'roleAssignment', `role ${role} for ${names.functionApp} on ${names.storageAccount}`, ['functionApp', 'storage'], (o) => {
        const principalId = out(o, 'functionApp', 'principalId');
        const scope = out(o, 'storage', 'id');
        return {
          scope,
          name: scope && principalId ? stableGuid(scope, principalId, id) : undefined,
          roleDefinitionId: `/subscriptions/${input.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${id}`,
          principalId,
          principalType: 'ServicePrincipal',
        };
      });
    }
  }

  // Needs APIM for the gateway URL the docs point "Try it out" at.
  add('appSettings', 'appSettings', `app settings of ${names.functionApp}`, ['functionApp', 'insights', 'storage', 'apim'], (o) => ({
    APPLICATIONINSIGHTS_CONNECTION_STRING: out(o, 'insights', 'connectionString'),
    APIM_GATEWAY_URL: out(o, 'apim', 'gatewayUrl'),
    ...(flex
      ? { AzureWebJobsStorage__accountName: names.storageAccount }
      : {
          FUNCTIONS_WORKER_RUNTIME: 'node',
          FUNCTIONS_EXTENSION_VERSION: '~4',
          AzureWebJobsStorage: out(o, 'storage', 'connectionString'),
          WEBSITE_CONTENTAZUREFILECONNECTIONSTRING: out(o, 'storage', 'connectionString'),
          WEBSITE_CONTENTSHARE: names.functionApp.toLowerCase(),
        }),
  }), { app: names.functionApp });

  add('hostKey', 'hostKey', `gateway host key ${hostKeyName(names)} on ${names.functionApp}`, ['functionApp'], () => ({ name: hostKeyName(names) }), {
    app: names.functionApp,
    name: hostKeyName(names),
  });

  add('apim', 'apim', `API Management ${names.apim} (Consumption)`, ['resourceGroup'], () => ({
    location,
    tags,
    sku: { name: 'Consumption', capacity: 0 },
    publisherEmail: input.publisherEmail,
    publisherName: input.publisherName,
    ...(input.restore ? { restore: true } : {}),
  }), { name: names.apim });

  const svc = { service: names.apim };
  add('namedValue', 'namedValue', `secret named value ${NAMED_VALUE_KEY}`, ['apim', 'hostKey'], (o) => ({
    displayName: NAMED_VALUE_KEY,
    secret: true,
    value: out(o, 'hostKey', 'value'),
  }), { ...svc, name: NAMED_VALUE_KEY });

  add('backend', 'backend', `backend ${BACKEND_ID}`, ['apim', 'namedValue', 'functionApp'], (o) => ({
    url: out(o, 'functionApp', 'apiBaseUrl'),
    protocol: 'http',
    description: `Function app ${names.functionApp}`,
    credentials: { header: { 'x-functions-key': [`{{${NAMED_VALUE_KEY}}}`] } },
  }), { ...svc, name: BACKEND_ID });

  const apiId = input.spec.path || 'api';
  add('api', 'api', `API ${apiId} (from the OpenAPI spec)`, ['apim', 'functionApp'], (o) => ({
    format: input.spec.format,
    value: input.spec.text,
    path: input.spec.path,
    displayName: input.spec.title,
    serviceUrl: out(o, 'functionApp', 'apiBaseUrl'),
    protocols: ['https'],
    subscriptionRequired: true,
    // Keep required query parameters as query parameters (APIM would otherwise fold them into the URL
    // template and name GET /getter "get-getter-message-message").
    translateRequiredQueryParametersConduct: 'query',
    specSha256: input.spec.sha256,
  }), { ...svc, name: apiId });

  add('apiPolicy', 'apiPolicy', `policy of API ${apiId}`, ['api', 'backend'], () => ({ format: 'rawxml', value: apiPolicyXml() }), { ...svc, api: apiId });

  const publicSpec = publicApiSpec(input.spec.title);
  add('publicApi', 'api', `public docs API /${PUBLIC_API_ID}`, ['apim', 'functionApp'], (o) => ({
    format: 'openapi+json',
    value: publicSpec,
    path: PUBLIC_API_ID,
    displayName: `${input.spec.title} docs`,
    serviceUrl: out(o, 'functionApp', 'apiBaseUrl'),
    protocols: ['https'],
    subscriptionRequired: false,
    specSha256: createHash('sha256').update(publicSpec).digest('hex'),
  }), { ...svc, name: PUBLIC_API_ID });

  add('publicApiPolicy', 'apiPolicy', `policy of API ${PUBLIC_API_ID}`, ['publicApi', 'backend'], () => ({ format: 'rawxml', value: apiPolicyXml() }), { ...svc, api: PUBLIC_API_ID });

  add('product', 'product', `product ${PRODUCT_ID}`, ['apim'], () => ({
    displayName: `${input.spec.title} (apim-fn)`,
    description: `Subscriptions for ${input.spec.title}`,
    subscriptionRequired: true,
    approvalRequired: false,
    state: 'published',
  }), { ...svc, name: PRODUCT_ID });

  add('productApi', 'productApi', `API ${apiId} in product ${PRODUCT_ID}`, ['product', 'api'], () => ({}), { ...svc, product: PRODUCT_ID, api: apiId });

  for (const sid of SUBSCRIPTIONS) {
    add(`subscription-${sid}`, 'subscription', `subscription ${sid}`, ['product'], (o) => ({
      scope: out(o, 'product', 'id'),
      displayName: sid,
      state: 'active',
    }), { ...svc, name: sid });
  }
  return r;
}

export type StackResource = DesiredResource<any> & { ident: Record<string, string> };
