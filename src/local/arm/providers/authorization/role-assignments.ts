// Microsoft.Authorization/roleAssignments at any ARM scope (RoleAssignments_Create / Get / Delete /
// ListForScope, 2022-04-01, what @azure/arm-authorization 9.0.0 sends). The router matches fixed depths, so
// the scopes a deployment uses are registered: subscription, resource group, a resource and two levels below it.
// An assignment is stored under its scope's id, so deleting the scope deletes it too.
import type { LocalAzureContext } from '../../../context.ts';
import { ArmError } from '../../../http/arm-error.ts';
import type { Method, RequestContext, Route } from '../../../http/router.ts';
import { registerNamespace } from '../../../http/server.ts';
import { keyOf, type StoredResource } from '../../../state/store.ts';
import { bodyInvalid, checkResourceGroup } from '../../resource-kit.ts';
import { validateRequestBody } from '../../spec/validate.ts';
import { AUTHORIZATION_API_VERSIONS, knownRoleGuid, roleDefinitionIdOf } from './role-definitions.ts';

export const ROLE_ASSIGNMENT_TYPE = 'Microsoft.Authorization/roleAssignments';
const SEGMENT = `/providers/${ROLE_ASSIGNMENT_TYPE}`;

const RESOURCE_SCOPE = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{scopeNamespace}/{scopeType}/{scopeName}';
/** Down to a resource two levels below a top-level one, e.g. storageAccounts/a/blobServices/default/containers/c. */
const SCOPE_TEMPLATES = [
  '/subscriptions/{subscriptionId}',
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}',
  RESOURCE_SCOPE,
  `${RESOURCE_SCOPE}/{childType}/{childName}`,
  `${RESOURCE_SCOPE}/{childType}/{childName}/{grandchildType}/{grandchildName}`,
];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PRINCIPAL_TYPES = ['User', 'Group', 'ServicePrincipal', 'ForeignGroup', 'Device'];

/** The scope of the request (the path before /providers/Microsoft.Authorization), as the stored id spells it. */
function resolveScope(env: LocalAzureContext, ctx: RequestContext): string {
  const sub = `/subscriptions/${env.subscriptionId}`;
  if (!ctx.params.resourceGroupName) return sub;
  const rg = checkResourceGroup(env, ctx.params);
  if (!ctx.params.scopeNamespace) return rg.id;
  const p = ctx.params;
  const typeAndName = [p.scopeNamespace, p.scopeType, p.scopeName, p.childType, p.childName, p.grandchildType, p.grandchildName].filter(Boolean).join('/');
  const found = env.store.get(`${rg.id}/providers/${typeAndName}`);
  if (!found) {
    throw new ArmError(
      404,
      'ResourceNotFound',
      `The Resource '${typeAndName}' under resource group '${ctx.params.resourceGroupName}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  }
  return found.id;
}

/** Principal ids the local Azure issued: managed identities of any resource (sites, APIM services...). */
function isKnownPrincipal(env: LocalAzureContext, principalId: string): boolean {
  const p = principalId.toLowerCase();
  return env.store.all().some((r) => {
    const identity = r.body.identity;
    if (String(identity?.principalId ?? '').toLowerCase() === p) return true;
    if (Object.values(identity?.userAssignedIdentities ?? {}).some((u: any) => String(u?.principalId ?? '').toLowerCase() === p)) return true;
    return /\/userassignedidentities$/i.test(r.type) && String(r.body.properties?.principalId ?? '').toLowerCase() === p;
  });
}

const assignmentsAt = (env: LocalAzureContext): StoredResource[] => env.store.all().filter((r) => r.type === ROLE_ASSIGNMENT_TYPE);
const scopeOf = (r: StoredResource): string => r.body.properties.scope;
const sameGuid = (a: string, b: string) => a.split('/').pop()!.toLowerCase() === b.split('/').pop()!.toLowerCase();

function putAssignment(env: LocalAzureContext, ctx: RequestContext) {
  const name = ctx.params.roleAssignmentName;
  if (!GUID.test(name)) {
    throw new ArmError(400, 'InvalidRoleAssignmentId', `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`);
  }
  const scope = resolveScope(env, ctx);
  const body: any = ctx.body ?? {};
  const problems = validateRequestBody('RoleAssignments_Create', body);
  const given = body.properties ?? {};
  if (!problems.length) {
    for (const field of ['roleDefinitionId', 'principalId']) {
      if (typeof given[field] !== 'string' || !given[field]) problems.push({ path: `properties.${field}`, message: `Required property '${field}' not found in JSON.` });
    }
  }
  if (problems.length) throw bodyInvalid(problems);
  const { principalId, roleDefinitionId } = given;
  if (!GUID.test(principalId)) {
    throw new ArmError(400, 'InvalidPrincipalId', `The Principal ID '${principalId}' is not valid. Principal ID must be a GUID.`);
  }
  const roleGuid = knownRoleGuid(roleDefinitionId, env.subscriptionId);
  if (!roleGuid) {
    const guid = String(roleDefinitionId).split('/').pop();
    throw new ArmError(400, 'RoleDefinitionDoesNotExist', `The specified role definition with ID '${guid}' does not exist.`);
  }
  let principalType = typeof given.principalType === 'string' ? PRINCIPAL_TYPES.find((t) => t.toLowerCase() === given.principalType.toLowerCase()) : undefined;
  if (!principalType) {
    // Without principalType, Azure looks the principal up in the directory; here only managed identities exist.
    if (!isKnownPrincipal(env, principalId)) {
      throw new ArmError(
        400,
        'PrincipalNotFound',
        `Principal ${principalId.replace(/-/g, '')} does not exist in the directory ${env.store.doc.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
      );
    }
    principalType = 'ServicePrincipal';
  }
  const id = `${scope}${SEGMENT}/${name}`;
  const existing = env.store.get(id);
  if (existing) {
    const p = existing.body.properties;
    if (p.principalId.toLowerCase() !== principalId.toLowerCase() || !sameGuid(p.roleDefinitionId, roleGuid)) {
      throw new ArmError(409, 'RoleAssignmentUpdateNotPermitted', 'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.');
    }
    // The same assignment PUT again is accepted as is (ARM template redeploys with the same name succeed).
    return { status: 201, body: existing.body };
  }
  const duplicate = assignmentsAt(env).find(
    (r) => keyOf(scopeOf(r)) === keyOf(scope) && r.body.properties.principalId.toLowerCase() === principalId.toLowerCase() && sameGuid(r.body.properties.roleDefinitionId, roleGuid),
  );
  if (duplicate) throw new ArmError(409, 'RoleAssignmentExists', 'The role assignment already exists.');
  const now = new Date().toISOString();
  const stored = env.store.put({
    id,
    type: ROLE_ASSIGNMENT_TYPE,
    body: {
      properties: {
        roleDefinitionId: roleDefinitionIdOf(env.subscriptionId, roleGuid),
        principalId,
        principalType,
        scope,
        condition: given.condition ?? null,
        conditionVersion: given.conditionVersion ?? null,
        createdOn: now,
        updatedOn: now,
        createdBy: null,
        updatedBy: null,
        delegatedManagedIdentityResourceId: given.delegatedManagedIdentityResourceId ?? null,
        description: given.description ?? null,
      },
      id,
      type: ROLE_ASSIGNMENT_TYPE,
      name,
    },
    createdAt: now,
    updatedAt: now,
  });
  return { status: 201, body: stored.body };
}

/**
 * ListForScope: without a filter, assignments at, above and below the scope; `atScope()` keeps those at or
 * above it; `principalId eq '…'` / `assignedTo('…')` keep one principal's.
 */
function listAssignments(env: LocalAzureContext, ctx: RequestContext) {
  const scope = keyOf(resolveScope(env, ctx));
  const filter = ctx.query.get('$filter') ?? '';
  const atScope = /atScope\(\)/i.test(filter);
  const principal = (/principalId\s+eq\s+'([^']+)'/i.exec(filter) ?? /assignedTo\('([^']+)'\)/i.exec(filter))?.[1]?.toLowerCase();
  const value = assignmentsAt(env)
    .filter((r) => {
      const s = keyOf(scopeOf(r));
      const aboveOrAt = scope === s || scope.startsWith(s + '/');
      const below = s.startsWith(scope + '/');
      return atScope ? aboveOrAt : aboveOrAt || below;
    })
    .filter((r) => !principal || r.body.properties.principalId.toLowerCase() === principal)
    .map((r) => r.body);
  return { status: 200, body: { value } };
}

export function registerRoleAssignments(env: LocalAzureContext): void {
  registerNamespace('Microsoft.Authorization');
  const route = (method: Method, template: string, handler: Route['handler'], readOnly = false) =>
    env.router.add({ method, template, apiVersions: AUTHORIZATION_API_VERSIONS, resourceType: ROLE_ASSIGNMENT_TYPE, handler, readOnly });
  for (const scope of SCOPE_TEMPLATES) {
    const one = `${scope}${SEGMENT}/{roleAssignmentName}`;
    route('PUT', one, (ctx) => putAssignment(env, ctx));
    route('GET', one, (ctx) => {
      const found = env.store.get(`${resolveScope(env, ctx)}${SEGMENT}/${ctx.params.roleAssignmentName}`);
      if (!found) throw new ArmError(404, 'RoleAssignmentNotFound', `The role assignment '${ctx.params.roleAssignmentName}' is not found.`);
      return { status: 200, body: found.body };
    });
    route('DELETE', one, (ctx) => {
      const found = env.store.get(`${resolveScope(env, ctx)}${SEGMENT}/${ctx.params.roleAssignmentName}`);
      if (!found) return { status: 204 };
      env.deleteResourceTree(found.id);
      return { status: 200, body: found.body };
    });
    route('GET', `${scope}${SEGMENT}`, (ctx) => listAssignments(env, ctx));
  }
}

/** Whether a principal holds one of these roles (guids) at a resource or any scope above it. */
export function principalHasRole(env: LocalAzureContext, principalId: string, resourceId: string, roleGuids: string[]): boolean {
  const target = keyOf(resourceId);
  const wanted = roleGuids.map((g) => g.toLowerCase());
  return assignmentsAt(env).some((r) => {
    const p = r.body.properties;
    const s = keyOf(p.scope);
    return p.principalId.toLowerCase() === principalId.toLowerCase() && (target === s || target.startsWith(s + '/')) && wanted.some((g) => sameGuid(p.roleDefinitionId, g));
  });
}
