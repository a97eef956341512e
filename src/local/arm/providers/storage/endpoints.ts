// The URLs and replication facts a storage account reports: service endpoints per account name, and the
// paired region that geo-redundant SKUs replicate to.
import type { LocalAzureContext } from '../../../context.ts';

/**
 * The blob endpoint of an account. Real Azure answers https://<account>.blob.core.windows.net/; the local
 * data plane (Azurite, a later change) is plugged in by setting `extra.blobEndpointTemplate` (with `{account}`)
 * in the state, so every account, old and new, reports it on its next read.
 */
export function blobEndpointFor(env: LocalAzureContext, accountName: string): string {
  const template = env.store.doc.extra.blobEndpointTemplate;
  if (typeof template === 'string' && template) return template.replaceAll('{account}', accountName);
  return `https://${accountName}.blob.core.windows.net/`;
}

/** The primary endpoints as Azure returns them (the static website zone is fixed: it varies by cluster). */
export function primaryEndpoints(accountName: string): Record<string, string> {
  return {
    dfs: `https://${accountName}.dfs.core.windows.net/`,
    web: `https://${accountName}.z6.web.core.windows.net/`,
    blob: `https://${accountName}.blob.core.windows.net/`,
    queue: `https://${accountName}.queue.core.windows.net/`,
    table: `https://${accountName}.table.core.windows.net/`,
    file: `https://${accountName}.file.core.windows.net/`,
  };
}

/** Read-access geo-redundant accounts also expose read-only endpoints in the paired region (no file share). */
export function secondaryEndpoints(accountName: string): Record<string, string> {
  const n = `${accountName}-secondary`;
  return {
    dfs: `https://${n}.dfs.core.windows.net/`,
    web: `https://${n}.z6.web.core.windows.net/`,
    blob: `https://${n}.blob.core.windows.net/`,
    queue: `https://${n}.queue.core.windows.net/`,
    table: `https://${n}.table.core.windows.net/`,
  };
}

// Azure's region pairs (learn.microsoft.com/azure/reliability/cross-region-replication-azure), for the regions
// the local Azure knows; the secondary may be a region that only serves as a pair.
const REGION_PAIRS: Record<string, string> = {
  eastus: 'westus', westus: 'eastus', eastus2: 'centralus', centralus: 'eastus2', westus2: 'westcentralus',
  westus3: 'eastus', northcentralus: 'southcentralus', southcentralus: 'northcentralus', northeurope: 'westeurope',
  westeurope: 'northeurope', uksouth: 'ukwest', ukwest: 'uksouth', francecentral: 'francesouth',
  germanywestcentral: 'germanynorth', swedencentral: 'swedensouth', switzerlandnorth: 'switzerlandwest',
  norwayeast: 'norwaywest', eastasia: 'southeastasia', southeastasia: 'eastasia', japaneast: 'japanwest',
  japanwest: 'japaneast', australiaeast: 'australiasoutheast', canadacentral: 'canadaeast', brazilsouth: 'southcentralus',
  centralindia: 'southindia', koreacentral: 'koreasouth', southafricanorth: 'southafricawest', uaenorth: 'uaecentral',
};

export const pairedRegion = (location: string): string | undefined => REGION_PAIRS[location];

/** Geo-redundant SKUs (GRS, RA-GRS, GZRS, RA-GZRS) replicate to the paired region. */
export const isGeoRedundant = (sku: string): boolean => /_(RA)?G(Z)?RS$/i.test(sku);
export const isReadAccessGeo = (sku: string): boolean => /_RAG(Z)?RS$/i.test(sku);
