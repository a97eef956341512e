// GET /subscriptions/{s}/providers/Microsoft.ApiManagement/skus (ApiManagementSkus_List): which SKU exists
// in which region, so a client can refuse a region without Consumption before creating anything.
import type { LocalAzureContext } from '../../../context.ts';
import { LOCATIONS, NO_APIM_CONSUMPTION, displayName } from '../../locations.ts';
import { route } from './common.ts';

const SKUS = ['Developer', 'Basic', 'Standard', 'Premium', 'Consumption', 'BasicV2', 'StandardV2'];

export function registerSkuRoutes(env: LocalAzureContext): void {
  route(env, 'GET', '/subscriptions/{subscriptionId}/providers/Microsoft.ApiManagement/skus', 'Microsoft.ApiManagement/skus', () => ({
    status: 200,
    body: {
      value: SKUS.map((name) => {
        const locations = LOCATIONS.filter((l) => name !== 'Consumption' || !NO_APIM_CONSUMPTION.has(l)).map(displayName);
        return {
          resourceType: 'service',
          name,
          locations,
          locationInfo: locations.map((location) => ({ location, zones: [], zoneDetails: [] })),
          capacity: name === 'Consumption' ? { minimum: 0, maximum: 0, default: 0, scaleType: 'None' } : { minimum: 1, maximum: 10, default: 1, scaleType: 'Manual' },
          restrictions: [],
        };
      }),
    },
  }));
}
