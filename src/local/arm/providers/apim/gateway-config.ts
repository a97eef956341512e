// Everything a service's gateway needs, in 2024-05-01 wire shapes (the `properties` bags GET returns), with the
// values GET hides filled in from the store's secrets (secret named values, subscription keys) and policies in
// their raw form. Kept here so the gateway never needs to know how this provider stores things.
//
// The gateway asks for the config on every request; cachedGatewayConfig rebuilds it only when the service's
// change counter moved (config-version.ts: bumped by every APIM write route), the state document was replaced
// (reset), or the service record itself is a different one (deleted and created again).
import type { LocalAzureContext } from '../../../context.ts';
import type { StoredResource } from '../../../state/store.ts';
import { keyOf } from '../../../state/store.ts';
import type { GatewayConfig, NamedValueContract } from '../../../gateway/model.ts';
import { SERVICE_TYPE, T, childrenOf } from './common.ts';
import { configVersion } from './config-version.ts';

const policyAt = (env: LocalAzureContext, scopeId: string) => {
  const p = env.store.get(`${scopeId}/policies/policy`);
  return p ? { properties: { format: 'rawxml' as const, value: String(p.body.properties.value) } } : undefined;
};

const entity = (r: StoredResource, properties: Record<string, any> = r.body.properties) => ({ name: String(r.body.name), id: r.id, properties: properties as any });

/** The service's named values with secret values filled in (policy validation and the gateway resolve them). */
export function namedValuesOf(env: LocalAzureContext, serviceId: string): NamedValueContract[] {
  return childrenOf(env, serviceId, T.namedValue).map((nv) => {
    const { provisioningState: _p, ...properties } = nv.body.properties;
    return entity(nv, properties.secret ? { ...properties, value: nv.secrets?.value } : properties);
  });
}

/** The gateway's view of a service, or undefined when the service does not exist. */
export function gatewayConfigOf(env: LocalAzureContext, serviceId: string): GatewayConfig | undefined {
  const svc = env.store.get(serviceId);
  if (!svc || svc.type !== SERVICE_TYPE) return undefined;
  return {
    serviceName: String(svc.body.name),
    sku: String(svc.body.sku?.name),
    region: String(svc.body.location),
    policy: policyAt(env, svc.id),
    apis: childrenOf(env, svc.id, T.api).map((a) => {
      const { provisioningState: _p, ...properties } = a.body.properties;
      return {
        ...entity(a, properties),
        operations: childrenOf(env, a.id, T.operation).map((o) => ({ ...entity(o), policy: policyAt(env, o.id) })),
        policy: policyAt(env, a.id),
      };
    }),
    products: childrenOf(env, svc.id, T.product).map((p) => ({
      ...entity(p),
      apis: childrenOf(env, p.id, T.productApi).map((l) => String(l.body.name)),
      policy: policyAt(env, p.id),
    })),
    namedValues: namedValuesOf(env, svc.id),
    backends: childrenOf(env, svc.id, T.backend).map((b) => entity(b)),
    subscriptions: childrenOf(env, svc.id, T.subscription).map((s) =>
      entity(s, { ...s.body.properties, primaryKey: s.secrets?.primaryKey, secondaryKey: s.secrets?.secondaryKey }),
    ),
  };
}

interface CacheEntry {
  version: string;
  doc: object;
  service: StoredResource;
  config: GatewayConfig;
}

const caches = new WeakMap<LocalAzureContext, Map<string, CacheEntry>>();

/** gatewayConfigOf, rebuilt only when something under the service changed since the last call. */
export function cachedGatewayConfig(env: LocalAzureContext, serviceId: string): GatewayConfig | undefined {
  let cache = caches.get(env);
  if (!cache) caches.set(env, (cache = new Map()));
  const key = keyOf(serviceId);
  const svc = env.store.get(serviceId);
  if (!svc || svc.type !== SERVICE_TYPE) {
    cache.delete(key);
    return undefined;
  }
  const version = configVersion(env, serviceId);
  const hit = cache.get(key);
  if (hit && hit.version === version && hit.doc === env.store.doc && hit.service === svc) return hit.config;
  const config = gatewayConfigOf(env, serviceId)!;
  cache.set(key, { version, doc: env.store.doc, service: svc, config });
  return config;
}
