// Storage constants and naming: account names are global across Azure, container names follow the blob service's rules.
// Messages are the storage resource provider's own (learn.microsoft.com, "Resolve errors for storage account names").
import type { LocalAzureContext } from '../../../context.ts';
import type { StoredResource } from '../../../state/store.ts';
import { ArmError } from '../../../http/arm-error.ts';

export const STORAGE_API_VERSIONS = ['2026-09-01'] as const;
export const ACCOUNT_TYPE = 'Microsoft.Storage/storageAccounts';
export const ACCOUNT_TEMPLATE =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}';

export function accountNameProblem(name: string): string | undefined {
  if (/^[a-z0-9]{3,24}$/.test(name)) return undefined;
  return `${name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.`;
}

export const alreadyTakenMessage = (name: string): string => `The storage account named ${name} is already taken.`;

/** The account of this name anywhere in the local Azure (one subscription), compared case-insensitively. */
export function accountNamed(env: LocalAzureContext, name: string): StoredResource | undefined {
  const n = name.toLowerCase();
  return env.store.all().find((r) => r.type.toLowerCase() === ACCOUNT_TYPE.toLowerCase() && r.id.split('/').pop()!.toLowerCase() === n);
}

/**
 * Names owned by other tenants in the real world: the local Azure has one subscription, so without this list
 * StorageAccountAlreadyTaken could never happen. Short dictionary names like these are taken in Azure; the list
 * can be replaced through `extra.storage.namesTakenElsewhere` in the state.
 */
const DEFAULT_TAKEN_ELSEWHERE = ['storage', 'test', 'teststorage', 'mystorage', 'mystorageaccount', 'storageaccount', 'azure', 'microsoft'];

export function takenElsewhere(env: LocalAzureContext, name: string): boolean {
  const configured = env.store.doc.extra.storage?.namesTakenElsewhere;
  const names: string[] = Array.isArray(configured) ? configured : DEFAULT_TAKEN_ELSEWHERE;
  return names.some((n) => String(n).toLowerCase() === name.toLowerCase());
}

/** Container names: 3-63 characters, lowercase letters, digits and single hyphens between them ($root and $web are reserved names that exist). */
export function containerNameProblem(name: string): string | undefined {
  if (name === '$root' || name === '$web') return undefined;
  if (name.length < 3 || name.length > 63) return 'The specified resource name length is not within the permissible limits.';
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) return 'The specified resource name contains invalid characters.';
  return undefined;
}

/**
 * A request body the storage RP refuses. Its error contract (ErrorResponseBody) has only code and message, so
 * unlike the generic kit error this carries no target or details.
 */
export const storageInvalidBody = (path: string, message: string): ArmError =>
  new ArmError(400, 'InvalidRequestContent', `The request content was invalid: '${path}' ${message}`);
