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

/** ARM compares regions without case or spaces ("West Europe" = "westeurope"). */
export const normalizeLocation = (loc: string): string => loc.replace(/\s+/g, '').toLowerCase();

export const isKnownLocation = (l: string): boolean => (LOCATIONS as readonly string[]).includes(normalizeLocation(l));

const DISPLAY: Record<string, string> = {
  eastus: 'East US', eastus2: 'East US 2', westus: 'West US', westus2: 'West US 2', westus3: 'West US 3',
  centralus: 'Central US', northcentralus: 'North Central US', southcentralus: 'South Central US',
  northeurope: 'North Europe', westeurope: 'West Europe', uksouth: 'UK South', ukwest: 'UK West',
  francecentral: 'France Central', germanywestcentral: 'Germany West Central', swedencentral: 'Sweden Central',
  switzerlandnorth: 'Switzerland North', norwayeast: 'Norway East', eastasia: 'East Asia', southeastasia: 'Southeast Asia',
  japaneast: 'Japan East', japanwest: 'Japan West', australiaeast: 'Australia East', canadacentral: 'Canada Central',
  brazilsouth: 'Brazil South', centralindia: 'Central India', koreacentral: 'Korea Central',
  southafricanorth: 'South Africa North', uaenorth: 'UAE North',
};

/** The region's display name, as region lists (geoRegions, APIM SKUs) spell it. */
export const displayName = (l: string): string => DISPLAY[l] ?? l;
