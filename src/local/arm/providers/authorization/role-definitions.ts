// The built-in Azure roles the local Azure knows (RoleDefinitions_Get / _List, 2022-04-01): the ones a
// Functions + APIM deployment assigns (AZURE-NOTES §5) plus Owner, Contributor and Reader. Ids, names and
// permissions as the built-in-roles reference lists them; custom roles are not modelled.
import type { LocalAzureContext } from '../../../context.ts';
import { ArmError } from '../../../http/arm-error.ts';
import type { Route } from '../../../http/router.ts';

export const AUTHORIZATION_API_VERSIONS = ['2022-04-01'] as const;
export const ROLE_DEFINITION_TYPE = 'Microsoft.Authorization/roleDefinitions';

interface BuiltInRole {
  roleName: string;
  description: string;
  actions: string[];
  notActions?: string[];
  dataActions?: string[];
}

const blob = 'Microsoft.Storage/storageAccounts/blobServices';
const queue = 'Microsoft.Storage/storageAccounts/queueServices';
const table = 'Microsoft.Storage/storageAccounts/tableServices';

export const BUILT_IN_ROLES: Record<string, BuiltInRole> = {
  '8e3af657-a8ff-443c-a75b-2fe8c4bcb635': {
    roleName: 'Owner',
    description: 'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.',
    actions: ['*'],
  },
  'b24988ac-6180-42a0-ab88-20f7382dd24c': {
    roleName: 'Contributor',
    description:
      'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.',
    actions: ['*'],
    notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write', 'Microsoft.Authorization/elevateAccess/Action'],
  },
  'acdd72a7-3385-48ef-bd42-f606fba81ae7': {
    roleName: 'Reader',
    description: 'View all resources, but does not allow you to make any changes.',
    actions: ['*/read'],
  },
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': {
    roleName: 'Storage Blob Data Owner',
    description: 'Allows for full access to Azure Storage blob containers and data, including assigning POSIX access control.',
    actions: [`${blob}/containers/*`, `${blob}/generateUserDelegationKey/action`],
    dataActions: [`${blob}/containers/blobs/*`],
  },
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe': {
    roleName: 'Storage Blob Data Contributor',
    description: 'Allows for read, write and delete access to Azure Storage blob containers and data',
    actions: [`${blob}/containers/delete`, `${blob}/containers/read`, `${blob}/containers/write`, `${blob}/generateUserDelegationKey/action`],
    dataActions: [
      `${blob}/containers/blobs/delete`,
      `${blob}/containers/blobs/read`,
      `${blob}/containers/blobs/write`,
      `${blob}/containers/blobs/move/action`,
      `${blob}/containers/blobs/add/action`,
    ],
  },
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': {
    roleName: 'Storage Queue Data Contributor',
    description: 'Allows for read, write, and delete access to Azure Storage queues and queue messages',
    actions: [`${queue}/queues/delete`, `${queue}/queues/read`, `${queue}/queues/write`],
    dataActions: [
      `${queue}/queues/messages/delete`,
      `${queue}/queues/messages/read`,
      `${queue}/queues/messages/write`,
      `${queue}/queues/messages/process/action`,
      `${queue}/queues/messages/add/action`,
    ],
  },
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': {
    roleName: 'Storage Table Data Contributor',
    description: 'Allows for read, write and delete access to Azure Storage tables and entities',
    actions: [`${table}/tables/read`, `${table}/tables/write`, `${table}/tables/delete`],
    dataActions: [
      `${table}/tables/entities/read`,
      `${table}/tables/entities/write`,
      `${table}/tables/entities/delete`,
      `${table}/tables/entities/add/action`,
      `${table}/tables/entities/update/action`,
    ],
  },
  '3913510d-42f4-4e42-8a64-420c390055eb': {
    roleName: 'Monitoring Metrics Publisher',
    description: 'Enables publishing metrics against Azure resources',
    actions: ['Microsoft.Insights/Register/Action', 'Microsoft.Support/*', 'Microsoft.Resources/subscriptions/resourceGroups/read'],
    dataActions: ['Microsoft.Insights/Metrics/Write', 'Microsoft.Insights/Telemetry/Write'],
  },
};

/** The role definition id ARM stores on assignments: subscription-scoped. */
export const roleDefinitionIdOf = (subscriptionId: string, guid: string): string =>
  `/subscriptions/${subscriptionId}/providers/${ROLE_DEFINITION_TYPE}/${guid}`;

/** The built-in role's guid in a role definition id (subscription-scoped or tenant-level), if it is one we know. */
export function knownRoleGuid(roleDefinitionId: string, subscriptionId: string): string | undefined {
  const m = /^(?:\/subscriptions\/([^/]+))?\/providers\/Microsoft\.Authorization\/roleDefinitions\/([^/]+)$/i.exec(roleDefinitionId);
  if (!m) return undefined;
  if (m[1] && m[1].toLowerCase() !== subscriptionId.toLowerCase()) return undefined;
  const guid = m[2].toLowerCase();
  return BUILT_IN_ROLES[guid] ? guid : undefined;
}

function definitionBody(scopePrefix: string, guid: string) {
  const role = BUILT_IN_ROLES[guid];
  return {
    id: `${scopePrefix}/providers/${ROLE_DEFINITION_TYPE}/${guid}`,
    type: ROLE_DEFINITION_TYPE,
    name: guid,
    properties: {
      roleName: role.roleName,
      type: 'BuiltInRole',
      description: role.description,
      assignableScopes: ['/'],
      permissions: [{ actions: role.actions, notActions: role.notActions ?? [], dataActions: role.dataActions ?? [], notDataActions: [] }],
      createdOn: '2015-02-02T21:55:09.8806423Z',
      updatedOn: '2021-11-11T20:13:47.8628684Z',
      createdBy: null,
      updatedBy: null,
    },
  };
}

/** `roleName eq 'X'` and `type eq 'BuiltInRole'|'CustomRole'`, the filters RoleDefinitions_List takes. */
function matchesFilter(filter: string | null, guid: string): boolean {
  if (!filter) return true;
  const name = /roleName\s+eq\s+'([^']*)'/i.exec(filter)?.[1];
  const type = /type\s+eq\s+'([^']*)'/i.exec(filter)?.[1];
  if (name !== undefined && name.toLowerCase() !== BUILT_IN_ROLES[guid].roleName.toLowerCase()) return false;
  if (type !== undefined && type.toLowerCase() !== 'builtinrole') return false;
  return true;
}

export function registerRoleDefinitions(env: LocalAzureContext): void {
  const route = (template: string, handler: Route['handler']) =>
    env.router.add({ method: 'GET', template, apiVersions: AUTHORIZATION_API_VERSIONS, resourceType: ROLE_DEFINITION_TYPE, handler });
  const scopes = ['', '/subscriptions/{subscriptionId}', '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}'];
  for (const scope of scopes) {
    const prefix = (params: Record<string, string>) =>
      scope ? `/subscriptions/${env.subscriptionId}${params.resourceGroupName ? `/resourceGroups/${params.resourceGroupName}` : ''}` : '';
    route(`${scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}`, (ctx) => {
      const guid = ctx.params.roleDefinitionId.toLowerCase();
      if (!BUILT_IN_ROLES[guid]) {
        throw new ArmError(404, 'RoleDefinitionDoesNotExist', `The specified role definition with ID '${ctx.params.roleDefinitionId}' does not exist.`);
      }
      return { status: 200, body: definitionBody(prefix(ctx.params), guid) };
    });
    route(`${scope}/providers/Microsoft.Authorization/roleDefinitions`, (ctx) => ({
      status: 200,
      body: {
        value: Object.keys(BUILT_IN_ROLES)
          .filter((g) => matchesFilter(ctx.query.get('$filter'), g))
          .map((g) => definitionBody(prefix(ctx.params), g)),
      },
    }));
  }
}
