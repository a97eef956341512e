// Microsoft.Web for function apps: App Service plans, sites, their configuration, keys and functions
// (api-version 2025-05-01, the one @azure/arm-appservice 19.0.0 sends). The modules live in ./web/.
import type { LocalAzureContext } from '../../context.ts';
import { registerPlans } from './web/plans.ts';
import { registerSites } from './web/sites.ts';
import { registerConfigRoutes } from './web/config.ts';
import { registerKeyRoutes } from './web/keys.ts';
import { registerFunctionRoutes } from './web/functions.ts';
import { registerAvailabilityRoutes } from './web/availability.ts';

export { registerFunctions, functionsOf, type RegisteredFunction } from './web/functions.ts';

export function registerWeb(env: LocalAzureContext): void {
  registerPlans(env);
  registerSites(env);
  registerConfigRoutes(env);
  registerKeyRoutes(env);
  registerFunctionRoutes(env);
  registerAvailabilityRoutes(env);
}
