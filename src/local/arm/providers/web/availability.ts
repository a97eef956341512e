// Subscription-level Web reads a client uses before creating anything: site name availability
// (POST .../Microsoft.Web/checknameavailability) and the regions that offer a SKU (GET .../geoRegions?sku=).
import type { LocalAzureContext } from '../../../context.ts';
import { LOCATIONS, NO_FLEX, displayName } from '../../locations.ts';
import { WEB_API_VERSIONS, SITE_TYPE } from './common.ts';

const SITE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,58}[A-Za-z0-9])$/;

export function registerAvailabilityRoutes(env: LocalAzureContext): void {
  env.router.add({
    method: 'POST',
    template: '/subscriptions/{subscriptionId}/providers/Microsoft.Web/checknameavailability',
    apiVersions: WEB_API_VERSIONS,
    resourceType: 'Microsoft.Web/checknameavailability',
    readOnly: true,
    handler: (ctx) => {
      const { name, type } = (ctx.body ?? {}) as { name?: string; type?: string };
      if (typeof name !== 'string' || !SITE_NAME.test(name)) {
        return { status: 200, body: { nameAvailable: false, reason: 'Invalid', message: `The name '${name}' is not a valid site name.` } };
      }
      const taken =
        String(type ?? 'Site').toLowerCase().includes('site') &&
        env.store.all().some((r) => r.type.toLowerCase() === SITE_TYPE.toLowerCase() && r.id.split('/').pop()!.toLowerCase() === name.toLowerCase());
      return taken
        ? { status: 200, body: { nameAvailable: false, reason: 'AlreadyExists', message: `Hostname '${name}' already exists. Please select a different name.` } }
        : { status: 200, body: { nameAvailable: true } };
    },
  });

  env.router.add({
    method: 'GET',
    template: '/subscriptions/{subscriptionId}/providers/Microsoft.Web/geoRegions',
    apiVersions: WEB_API_VERSIONS,
    resourceType: 'Microsoft.Web/geoRegions',
    handler: (ctx) => {
      const sku = (ctx.query.get('sku') ?? '').toLowerCase();
      const regions = LOCATIONS.filter((l) => sku !== 'flexconsumption' || !NO_FLEX.has(l));
      return {
        status: 200,
        body: {
          value: regions.map((l) => ({
            id: `/subscriptions/${env.subscriptionId}/providers/Microsoft.Web/geoRegions/${displayName(l)}`,
            name: displayName(l),
            type: 'Microsoft.Web/geoRegions',
            properties: { name: displayName(l), displayName: displayName(l), orgDomain: 'PUBLIC;DREAMSPARK;DSERIES;LINUX;LINUXDSERIES;ELASTICPREMIUM;FUNCTIONAPP;FLEXCONSUMPTION' },
          })),
        },
      };
    },
  });
}
