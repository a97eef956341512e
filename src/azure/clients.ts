// The only place SDK clients are built: one factory, so endpoint, CA trust, retries and polling are set
// the same way for every client. Each client is created (and its package loaded) on first use.
import type { ResourceManagementClient } from '@azure/arm-resources';
import type { StorageManagementClient } from '@azure/arm-storage';
import type { WebSiteManagementClient } from '@azure/arm-appservice';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import type { ApplicationInsightsManagementClient } from '@azure/arm-appinsights';
import type { OperationalInsightsManagementClient } from '@azure/arm-operationalinsights';
import type { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { Target } from './target.ts';

export interface AzureClients {
  target: Target;
  /** Per-call LRO options: poll interval for this target. */
  poll: { updateIntervalInMs?: number };
  resources(): Promise<ResourceManagementClient>;
  storage(): Promise<StorageManagementClient>;
  web(): Promise<WebSiteManagementClient>;
  apim(): Promise<ApiManagementClient>;
  insights(): Promise<ApplicationInsightsManagementClient>;
  logs(): Promise<OperationalInsightsManagementClient>;
  authorization(): Promise<AuthorizationManagementClient>;
}

export function clientOptions(target: Target): Record<string, unknown> {
  return {
    endpoint: target.endpoint,
    // Token scope stays ARM's, whatever the endpoint (the APIM and App Insights clients derive it from the endpoint otherwise).
    credentialScopes: ['https://management.azure.com/.default'],
    credentials: { scopes: ['https://management.azure.com/.default'] },
    ...(target.ca ? { tlsOptions: { ca: target.ca } } : {}),
    // 429/503 honour Retry-After; other 5xx and dropped connections back off exponentially.
    retryOptions: { maxRetries: 6, retryDelayInMs: target.kind === 'local' ? 50 : 1000, maxRetryDelayInMs: target.kind === 'local' ? 2000 : 60_000 },
    userAgentOptions: { userAgentPrefix: 'apim-fn' },
  };
}

export function createClients(target: Target): AzureClients {
  const opts = clientOptions(target);
  const once = <T>(make: () => Promise<T>) => {
    let p: Promise<T> | undefined;
    return () => (p ??= make());
  };
  const sub = target.subscriptionId;
  const cred = target.credential;
  return {
    target,
    poll: target.pollIntervalMs ? { updateIntervalInMs: target.pollIntervalMs } : {},
    resources: once(async () => new (await import('@azure/arm-resources')).ResourceManagementClient(cred, sub, opts)),
    storage: once(async () => new (await import('@azure/arm-storage')).StorageManagementClient(cred, sub, opts)),
    web: once(async () => new (await import('@azure/arm-appservice')).WebSiteManagementClient(cred, sub, opts)),
    apim: once(async () => new (await import('@azure/arm-apimanagement')).ApiManagementClient(cred, sub, opts)),
    insights: once(async () => new (await import('@azure/arm-appinsights')).ApplicationInsightsManagementClient(cred, sub, opts)),
    logs: once(async () => new (await import('@azure/arm-operationalinsights')).OperationalInsightsManagementClient(cred, sub, opts)),
    authorization: once(async () => new (await import('@azure/arm-authorization')).AuthorizationManagementClient(cred, sub, opts)),
  };
}
