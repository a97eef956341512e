// ARM rules every tracked resource shares (storage, monitoring, plans, sites): the location must be a
// region the local Azure knows and cannot change on a re-PUT, and managed identities get ids from the platform.
import { ArmError } from '../../http/arm-error.ts';
import type { StoredResource } from '../../state/store.ts';
import { isKnownLocation, LOCATIONS } from '../locations.ts';
import { normalizeLocation, requireLocation } from '../resource-kit.ts';
import { randomUUID } from 'node:crypto';

/** The normalized location of a PUT body, checked the way ARM checks it before the RP sees the request. */
export function trackedLocation(body: any, resourceType: string, existing: StoredResource | undefined, rg: string): string {
  const location = requireLocation(body);
  if (!isKnownLocation(location)) {
    throw new ArmError(
      400,
      'LocationNotAvailableForResourceType',
      `The provided location '${body.location}' is not available for resource type '${resourceType}'. List of available regions for the resource type is '${LOCATIONS.join(',')}'.`,
    );
  }
  const was = existing?.body.location;
  if (was && normalizeLocation(was) !== location) {
    // ARM answers a re-PUT in another region with 409 InvalidResourceLocation (learn.microsoft.com, "Resolve errors for storage account names").
    throw new ArmError(
      409,
      'InvalidResourceLocation',
      `The resource '${existing.body.name}' already exists in location '${normalizeLocation(was)}' in resource group '${rg}'. A resource with the same name cannot be created in location '${location}'. Please select a new resource name.`,
    );
  }
  return location;
}

/**
 * A managed identity as the platform returns it: the caller's type and user-assigned ids, plus principal and
 * tenant ids Azure generates. Ids stay stable across re-PUTs, as the identity outlives updates.
 */
export function managedIdentity(given: any, existing: any, tenantId: string): Record<string, any> | undefined {
  if (!given || typeof given !== 'object') return existing;
  const type = String(given.type ?? 'None');
  if (type === 'None') return { type: 'None' };
  const out: Record<string, any> = { type };
  if (/SystemAssigned/i.test(type)) {
    out.principalId = existing?.principalId ?? randomUUID();
    out.tenantId = tenantId;
  }
  if (/UserAssigned/i.test(type) && given.userAssignedIdentities && typeof given.userAssignedIdentities === 'object') {
    out.userAssignedIdentities = Object.fromEntries(
      Object.keys(given.userAssignedIdentities).map((id) => {
        const before = existing?.userAssignedIdentities?.[id];
        return [id, { principalId: before?.principalId ?? randomUUID(), clientId: before?.clientId ?? randomUUID() }];
      }),
    );
  }
  return out;
}
