// A per-service change counter for the gateway's configuration cache. Every APIM write goes through route() in
// common.ts, which bumps the counter of the service its path addresses once the handler has run (successful or
// not: a failed write may still have changed something, and a spurious rebuild is cheap). Writes whose path
// names no service (deleted-service purge) bump an epoch shared by all services.
import type { LocalAzureContext } from '../../../context.ts';
import { keyOf } from '../../../state/store.ts';

interface Versions {
  epoch: number;
  byService: Map<string, number>;
}

const versions = new WeakMap<LocalAzureContext, Versions>();

const of = (env: LocalAzureContext): Versions => {
  let v = versions.get(env);
  if (!v) versions.set(env, (v = { epoch: 0, byService: new Map() }));
  return v;
};

const SERVICE_IN_PATH = /\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ApiManagement\/service\/[^/?]+/i;

/** Marks the configuration of the service a request path addresses as changed. */
export function bumpConfigVersion(env: LocalAzureContext, path: string): void {
  const v = of(env);
  const m = SERVICE_IN_PATH.exec(path);
  if (!m) {
    v.epoch++;
    return;
  }
  const key = keyOf(m[0]);
  v.byService.set(key, (v.byService.get(key) ?? 0) + 1);
}

/** Changes whenever anything under the service (or the epoch) changed. */
export function configVersion(env: LocalAzureContext, serviceId: string): string {
  const v = of(env);
  return `${v.epoch}:${v.byService.get(keyOf(serviceId)) ?? 0}`;
}
