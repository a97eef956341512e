// Test harness: a real local Azure per test file (temp data dir unless given) and the real @azure/arm-*
// clients pointed at it, trusting its CA through tlsOptions only (no global TLS changes).
import { startLocalAzure, type LocalAzureOptions, type RunningLocalAzure } from '../../src/local/index.ts';
import { ResourceManagementClient } from '@azure/arm-resources';
import { StorageManagementClient } from '@azure/arm-storage';
import { WebSiteManagementClient } from '@azure/arm-appservice';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { ApplicationInsightsManagementClient } from '@azure/arm-appinsights';
import { OperationalInsightsManagementClient } from '@azure/arm-operationalinsights';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { TokenCredential } from '@azure/identity';

export const testCredential: TokenCredential = {
  getToken: async () => ({ token: 'local-test-token', expiresOnTimestamp: Date.now() + 3600_000 }),
};

/** Per-call poller options: poll every 5 ms instead of the SDK's 2 s. */
export const fast = { updateIntervalInMs: 5 } as const;

export interface LocalAzureHarness {
  azure: RunningLocalAzure;
  sub: string;
  resources: ResourceManagementClient;
  storage: StorageManagementClient;
  web: WebSiteManagementClient;
  apim: ApiManagementClient;
  insights: ApplicationInsightsManagementClient;
  logs: OperationalInsightsManagementClient;
  authorization: AuthorizationManagementClient;
  /** Calls the local Azure's admin API (/.local/...). */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export function clientOptions(azure: RunningLocalAzure) {
  return {
    endpoint: azure.endpoint,
    tlsOptions: { ca: azure.caCertPem },
    credentialScopes: ['https://management.azure.com/.default'],
    // Tests inject faults deliberately; keep SDK retries fast.
    retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 20 },
  } as any;
}

export async function startHarness(opts: LocalAzureOptions = {}): Promise<LocalAzureHarness> {
  const azure = await startLocalAzure(opts);
  const o = clientOptions(azure);
  const sub = azure.subscriptionId;
  return {
    azure,
    sub,
    resources: new ResourceManagementClient(testCredential, sub, o),
    storage: new StorageManagementClient(testCredential, sub, o),
    web: new WebSiteManagementClient(testCredential, sub, o),
    apim: new ApiManagementClient(testCredential, sub, o),
    insights: new ApplicationInsightsManagementClient(testCredential, sub, o),
    logs: new OperationalInsightsManagementClient(testCredential, sub, o),
    authorization: new AuthorizationManagementClient(testCredential, sub, o),
    admin: (method, path, body) => adminCall(azure, method, path, body),
    close: () => azure.close(),
  };
}

export async function adminCall(azure: RunningLocalAzure, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  return rawRequest(azure, method, path, body, { 'x-local-admin': `Bearer ${azure.adminToken}` });
}

/** A raw HTTPS request to the local Azure (for wire-level assertions the SDKs hide). */
export async function rawRequest(
  azure: RunningLocalAzure,
  method: string,
  pathOrUrl: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: 'Bearer test' },
): Promise<{ status: number; body: any; headers: Record<string, string> }> {
  const https = await import('node:https');
  const url = new URL(pathOrUrl, azure.endpoint);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method, ca: azure.caCertPem, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: any = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers as Record<string, string> });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
