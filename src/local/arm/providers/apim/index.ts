// Microsoft.ApiManagement (2024-05-01, what @azure/arm-apimanagement 10.0.0 sends): services with soft delete,
// deleted services, APIs with OpenAPI import and their operations, policies, named values, backends, products and
// subscriptions. One module per group of operations; shared mechanics in common.ts.
import type { LocalAzureContext } from '../../../context.ts';
import { registerService } from './service.ts';
import { registerDeletedServices } from './deleted-services.ts';
import { registerApis } from './apis.ts';
import { registerPolicies } from './policies.ts';
import { registerNamedValues } from './named-values.ts';
import { registerBackends } from './backends.ts';
import { registerProducts } from './products.ts';
import { registerSubscriptions } from './subscriptions.ts';
import { registerSkuRoutes } from './skus.ts';
import { cachedGatewayConfig } from './gateway-config.ts';
import { serveGateway } from '../../../gateway/serve.ts';

// For the gateway: a service's whole configuration, and the document an API was imported from; for tests and
// benchmarks: what each service's gateway served.
export { gatewayConfigOf } from './gateway-config.ts';
export { gatewayRequestsOf, type GatewayRequestRecord } from '../../../gateway/serve.ts';
export { importedSpec } from './apis.ts';

export function registerApiManagement(env: LocalAzureContext): void {
  registerService(env);
  registerDeletedServices(env);
  registerApis(env);
  registerPolicies(env);
  registerNamedValues(env);
  registerBackends(env);
  registerProducts(env);
  registerSubscriptions(env);
  registerSkuRoutes(env);
  // Each service's gateway host (hosts.ts 'apim-gateway') serves the live config of that service.
  serveGateway(env, (serviceId) => cachedGatewayConfig(env, serviceId));
}
