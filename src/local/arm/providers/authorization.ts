// Microsoft.Authorization: role assignments at any scope a deployment uses and the built-in role definitions
// they reference (api-version 2022-04-01, what @azure/arm-authorization 9.0.0 sends). Modules in ./authorization/.
import type { LocalAzureContext } from '../../context.ts';
import { registerRoleAssignments } from './authorization/role-assignments.ts';
import { registerRoleDefinitions } from './authorization/role-definitions.ts';

export { principalHasRole, ROLE_ASSIGNMENT_TYPE } from './authorization/role-assignments.ts';
export { BUILT_IN_ROLES } from './authorization/role-definitions.ts';

export function registerAuthorization(env: LocalAzureContext): void {
  registerRoleDefinitions(env);
  registerRoleAssignments(env);
}
