// Regions the local Azure knows, with the plans that exist in each (a subset, for the "region without Flex /
// APIM Consumption" cases). Names as ARM spells them (lowercase, no spaces).
export const LOCATIONS = [
  'eastus', 'eastus2', 'westus', 'westus2', 'westus3', 'centralus', 'northcentralus', 'southcentralus',
  'northeurope', 'westeurope', 'uksouth', 'ukwest', 'francecentral', 'germanywestcentral', 'swedencentral',
  'switzerlandnorth', 'norwayeast', 'eastasia', 'southeastasia', 'japaneast', 'japanwest', 'australiaeast',
  'canadacentral', 'brazilsouth', 'centralindia', 'koreacentral', 'southafricanorth', 'uaenorth',
] as const;

/** Regions without Flex Consumption in the local Azure (mirrors that Flex is not in every region). */
export const NO_FLEX = new Set(['westus', 'ukwest', 'japanwest', 'koreacentral', 'southafricanorth']);
/** Regions without APIM Consumption in the local Azure. */
export const NO_APIM_CONSUMPTION = new Set(['uaenorth', 'southafricanorth']);

export const isKnownLocation = (l: string): boolean => (LOCATIONS as readonly string[]).includes(l.replace(/\s+/g, '').toLowerCase());
