// Where `up` and friends send their requests: real Azure (DefaultAzureCredential, management.azure.com) or
// the local Azure (its endpoint, a static token, and trust in its CA only). Nothing else differs.
import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/identity';
import { UserError, usageError } from '../errors.ts';

export interface Target {
  kind: 'azure' | 'local';
  endpoint: string;
  subscriptionId: string;
  credential: TokenCredential;
  /** PEM of the local Azure's CA; only set for the local target. */
  ca?: string;
  /** Poller interval: the SDK default (2 s) on Azure, short on the local Azure (Retry-After still wins). */
  pollIntervalMs?: number;
  tenantId?: string;
}

export const AZURE_ENDPOINT = 'https://management.azure.com';

/** Any non-empty bearer token is accepted by the local Azure, as by other local cloud emulators. */
export const localCredential: TokenCredential = {
  getToken: async () => ({ token: 'apim-fn-local', expiresOnTimestamp: Date.now() + 3600_000 }),
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function checkSubscriptionId(id: string): string {
  if (!UUID.test(id)) throw usageError(`invalid subscription id '${id}': expected a GUID like 00000000-0000-0000-0000-000000000000`);
  return id;
}

export function localTarget(status: { endpoint: string; caCert: string; subscriptionId: string; tenantId?: string }): Target {
  return {
    kind: 'local',
    endpoint: status.endpoint,
    subscriptionId: status.subscriptionId,
    credential: localCredential,
    ca: readFileSync(status.caCert, 'utf8'),
    pollIntervalMs: 25,
    tenantId: status.tenantId,
  };
}

/** Azure target: subscription from the flag, AZURE_SUBSCRIPTION_ID, or the single one the credential sees. */
export async function azureTarget(opts: { subscription?: string; credential?: TokenCredential }): Promise<Target> {
  const credential = opts.credential ?? new (await import('@azure/identity')).DefaultAzureCredential();
  const explicit = opts.subscription ?? process.env.AZURE_SUBSCRIPTION_ID;
  if (explicit) return { kind: 'azure', endpoint: AZURE_ENDPOINT, subscriptionId: checkSubscriptionId(explicit), credential };
  const subs = await listSubscriptions(AZURE_ENDPOINT, credential);
  if (subs.length === 1) return { kind: 'azure', endpoint: AZURE_ENDPOINT, subscriptionId: subs[0].id, credential, tenantId: subs[0].tenantId };
  if (!subs.length) throw new UserError('the signed-in identity sees no enabled subscription: sign in with az login / azd auth login, or pass --subscription <id>');
  throw new UserError(`the signed-in identity sees ${subs.length} subscriptions; pass --subscription <id> or set AZURE_SUBSCRIPTION_ID (one of: ${subs.map((s) => `${s.id} (${s.name})`).join(', ')})`);
}

export async function listSubscriptions(endpoint: string, credential: TokenCredential, ca?: string): Promise<Array<{ id: string; name: string; tenantId?: string }>> {
  const { SubscriptionClient } = await import('@azure/arm-resources-subscriptions');
  const client = new SubscriptionClient(credential, { endpoint, ...(ca ? { tlsOptions: { ca } } : {}) } as any);
  const out: Array<{ id: string; name: string; tenantId?: string }> = [];
  try {
    for await (const s of client.subscriptions.list()) {
      if (s.state === 'Enabled' && s.subscriptionId) out.push({ id: s.subscriptionId, name: s.displayName ?? '', tenantId: s.tenantId });
    }
  } catch (e) {
    throw new UserError(`cannot list subscriptions: ${(e as Error).message.split('\n')[0]} (sign in with az login, or pass --subscription <id>)`);
  }
  return out;
}
