// The StorageAccount body (2026-09-01) built from a create request: the caller's settings kept, Azure's defaults
// applied where the caller said nothing, and the read-only facts (endpoints, replication, times) added.
// Shape checked against a recorded create from azure-sdk-assets (arm-storage storageaccounts_create_test).
import { randomBytes } from 'node:crypto';
import { ArmError } from '../../../http/arm-error.ts';
import { storageInvalidBody } from './names.ts';
import { isGeoRedundant, isReadAccessGeo, pairedRegion, primaryEndpoints, secondaryEndpoints } from './endpoints.ts';

const SKU_NAMES = [
  'Standard_LRS', 'Standard_GRS', 'Standard_RAGRS', 'Standard_ZRS', 'Premium_LRS', 'Premium_ZRS', 'Standard_GZRS',
  'Standard_RAGZRS', 'StandardV2_LRS', 'StandardV2_GRS', 'StandardV2_ZRS', 'StandardV2_GZRS', 'PremiumV2_LRS', 'PremiumV2_ZRS',
];

/** Properties computed by the platform: a request cannot set them, a re-PUT keeps them. */
const READ_ONLY = [
  'provisioningState', 'primaryEndpoints', 'primaryLocation', 'statusOfPrimary', 'lastGeoFailoverTime', 'secondaryLocation',
  'statusOfSecondary', 'creationTime', 'keyCreationTime', 'secondaryEndpoints', 'geoReplicationStats', 'failoverInProgress',
  'privateEndpointConnections', 'blobRestoreStatus', 'storageAccountSkuConversionStatus', 'accountMigrationInProgress',
  'isSkuConversionBlocked', 'geoPriorityReplicationStatus',
];

/** The SKU the body asks for, as {name, tier}; the tier follows from the name. */
export function skuOf(body: any, existing: { name: string; tier: string } | undefined): { name: string; tier: string } {
  const given = body?.sku;
  if (given === undefined && existing) return existing;
  if (!given || typeof given !== 'object' || typeof given.name !== 'string') {
    throw storageInvalidBody('sku.name', "Required property 'name' of type string is missing or invalid.");
  }
  const name = SKU_NAMES.find((s) => s.toLowerCase() === given.name.toLowerCase());
  // The enum is open in the spec (modelAsString); the resource provider still refuses names it does not sell.
  if (!name) throw new ArmError(400, 'InvalidValuesForRequestParameters', 'Values for request parameters are invalid: sku.name.');
  return { name, tier: name.startsWith('Premium') ? 'Premium' : 'Standard' };
}

export function kindOf(body: any, existing: string | undefined): string {
  if (body?.kind === undefined && existing) return existing;
  if (typeof body?.kind !== 'string') throw storageInvalidBody('kind', "Required property 'kind' of type string is missing or invalid.");
  return body.kind;
}

const defaultEncryption = (now: string) => ({
  services: {
    file: { keyType: 'Account', enabled: true, lastEnabledTime: now },
    blob: { keyType: 'Account', enabled: true, lastEnabledTime: now },
  },
  keySource: 'Microsoft.Storage',
});

/** Encryption as requested, with the enablement times Azure stamps; blob and file are always encrypted. */
function encryptionOf(given: any, before: any, now: string): Record<string, any> {
  if (!given || typeof given !== 'object') return before ?? defaultEncryption(now);
  const services: Record<string, any> = {};
  const requested = given.services && typeof given.services === 'object' ? given.services : {};
  for (const svc of new Set(['file', 'blob', ...Object.keys(requested)])) {
    const r = requested[svc] ?? {};
    const prior = before?.services?.[svc];
    services[svc] = {
      keyType: prior?.keyType ?? r.keyType ?? (svc === 'blob' || svc === 'file' ? 'Account' : 'Service'),
      enabled: true,
      lastEnabledTime: prior?.lastEnabledTime ?? now,
    };
  }
  const out: Record<string, any> = { ...given, services, keySource: given.keySource ?? 'Microsoft.Storage' };
  return out;
}

/** Network rules with the empty lists and the AzureServices bypass Azure fills in. */
function networkAclsOf(given: any, before: any): Record<string, any> {
  if (!given || typeof given !== 'object') return before ?? { ipv6Rules: [], bypass: 'AzureServices', virtualNetworkRules: [], ipRules: [], defaultAction: 'Allow' };
  return {
    ipv6Rules: given.ipv6Rules ?? [],
    bypass: given.bypass ?? 'AzureServices',
    virtualNetworkRules: given.virtualNetworkRules ?? [],
    ipRules: given.ipRules ?? [],
    ...(given.resourceAccessRules ? { resourceAccessRules: given.resourceAccessRules } : {}),
    defaultAction: given.defaultAction ?? 'Allow',
  };
}

/** Blob accounts bill by access tier: Hot unless asked otherwise; premium block blob accounts are always Premium. */
function accessTierOf(kind: string, tier: string, requested: unknown): string | undefined {
  if (kind === 'BlockBlobStorage') return 'Premium';
  if (typeof requested === 'string') return requested;
  if ((kind === 'StorageV2' || kind === 'BlobStorage') && tier === 'Standard') return 'Hot';
  return undefined;
}

/**
 * The account's properties after a create (or a create on an existing account, which Azure treats as an
 * update: settings the request leaves out keep their values).
 */
export function accountProperties(
  name: string,
  location: string,
  sku: { name: string; tier: string },
  kind: string,
  requested: any,
  before: Record<string, any> | undefined,
): Record<string, any> {
  const now = new Date().toISOString();
  const given: Record<string, any> = requested && typeof requested === 'object' ? { ...requested } : {};
  for (const k of READ_ONLY) delete given[k];
  const settings = { ...(before ?? {}), ...given };
  for (const k of READ_ONLY) delete settings[k];

  const props: Record<string, any> = {
    keyCreationTime: before?.keyCreationTime ?? { key1: now, key2: now },
    allowCrossTenantReplication: false,
    privateEndpointConnections: before?.privateEndpointConnections ?? [],
    // TLS 1.0/1.1 are retired for storage since 3 Feb 2026, so new accounts start at TLS 1.2.
    minimumTlsVersion: 'TLS1_2',
    // Anonymous blob access is off for new accounts since Nov 2023 (the spec: "default interpretation is false").
    allowBlobPublicAccess: false,
    ...settings,
    networkAcls: networkAclsOf(given.networkAcls, before?.networkAcls),
    supportsHttpsTrafficOnly: settings.supportsHttpsTrafficOnly ?? true,
    encryption: encryptionOf(given.encryption, before?.encryption, now),
  };
  const accessTier = accessTierOf(kind, sku.tier, settings.accessTier);
  if (accessTier) props.accessTier = accessTier;
  else delete props.accessTier;

  props.provisioningState = before?.provisioningState === 'Succeeded' ? 'Succeeded' : 'Creating';
  props.creationTime = before?.creationTime ?? now;
  props.primaryEndpoints = primaryEndpoints(name);
  props.primaryLocation = location;
  props.statusOfPrimary = 'available';
  const secondary = isGeoRedundant(sku.name) ? pairedRegion(location) : undefined;
  if (secondary) {
    props.secondaryLocation = secondary;
    props.statusOfSecondary = 'available';
    if (isReadAccessGeo(sku.name)) props.secondaryEndpoints = secondaryEndpoints(name);
  }
  return props;
}

export interface StorageKey {
  keyName: string;
  value: string;
  permissions: string;
  creationTime: string;
}

/** A new access key: 64 random bytes, base64, as Azure issues them. */
export const newKey = (keyName: string, now = new Date().toISOString()): StorageKey => ({
  keyName,
  value: randomBytes(64).toString('base64'),
  permissions: 'FULL',
  creationTime: now,
});
