// Azure regions by ARM name, for an early, offline check of --location.
const REGIONS = new Set([
  'eastus', 'eastus2', 'westus', 'westus2', 'westus3', 'centralus', 'northcentralus', 'southcentralus', 'westcentralus',
  'canadacentral', 'canadaeast', 'brazilsouth', 'mexicocentral', 'northeurope', 'westeurope', 'uksouth', 'ukwest',
  'francecentral', 'germanywestcentral', 'swedencentral', 'switzerlandnorth', 'norwayeast', 'polandcentral',
  'italynorth', 'spaincentral', 'eastasia', 'southeastasia', 'japaneast', 'japanwest', 'koreacentral', 'australiaeast',
  'australiasoutheast', 'centralindia', 'southindia', 'uaenorth', 'southafricanorth', 'israelcentral', 'qatarcentral',
  'newzealandnorth', 'indonesiacentral', 'malaysiawest',
]);

export const isKnownRegion = (l: string): boolean => REGIONS.has(l.toLowerCase().replace(/\s+/g, ''));
