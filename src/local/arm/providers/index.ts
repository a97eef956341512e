// Every resource provider the local Azure serves. Each module registers its routes on the context's router.
import type { LocalAzureContext } from '../../context.ts';
import { registerResources } from './resources.ts';
import { registerStorage } from './storage.ts';
import { registerOperationalInsights } from './operational-insights.ts';
import { registerInsights } from './insights.ts';
import { registerWeb } from './web.ts';
import { registerAuthorization } from './authorization.ts';
import { registerApiManagement } from './apim/index.ts';

export function registerProviders(env: LocalAzureContext): void {
  registerResources(env);
  registerStorage(env);
  registerOperationalInsights(env);
  registerInsights(env);
  registerWeb(env);
  registerAuthorization(env);
  registerApiManagement(env);
}
