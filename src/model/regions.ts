// Azure regions by ARM name, for an early, offline check of --location.
const REGIONS = new Set([
  'eastus', 'eastus2', 'westus', 'westus2', 'westus3', 'centralus', 'northcentralus', 'southcentralus', 'westcentralus',
  'canadacentral', 'canadaeast', 'brazilsouth', 'mexicocentral', 'northeurope', 'westeurope', 'uksouth', 'ukwest',
  'francecentral', 'germanywestcentral', 'swedencentral', 'switzerlandnorth', 'norwayeast', 'polandcentral',
  'italynorth', 'spaincentral', 'eastasia', 'southeastasia', 'japaneast', 'japanwest', 'koreacentral', 'australiaeast',
  'australiasoutheast', 'centralindia', 'southindia', 'uaenorth', 'southafricanorth', 'israelcentral', 'qatarcentral',
  'newzealandnorth', 'indonesiacentral', 'malaysiawest',
]);

/** ARM names a region either way ("West Europe", "westeurope"): compare this form. */
export const regionKey = (l: unknown): string => String(l ?? '').replace(/\s+/g, '').toLowerCase();

export const isKnownRegion = (l: string): boolean => REGIONS.has(regionKey(l));
