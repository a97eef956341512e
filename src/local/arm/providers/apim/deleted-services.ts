// Soft-deleted API Management services (apimdeletedservices.json 2024-05-01). Deleting a service — directly or
// with its resource group — keeps a record for 48 hours (learn.microsoft.com/azure/api-management/soft-delete):
// it can be listed, read by location and name, purged (DELETE, 202 + Location, then 200), or restored by PUT with
// properties.restore:true. The record keeps a snapshot of everything the service held so restore brings it all back.
import type { LocalAzureContext } from '../../../context.ts';
import { ArmError } from '../../../http/arm-error.ts';
import type { StoredResource } from '../../../state/store.ts';
import { keyOf } from '../../../state/store.ts';
import { locationReply } from '../../lro.ts';
import { normalizeLocation } from '../../resource-kit.ts';
import { CHILD_TYPES, SERVICE_TYPE, T, isoSeconds, route, serviceIdOf } from './common.ts';

const TYPE = 'Microsoft.ApiManagement/deletedservices';
const RETENTION_MS = 48 * 3600_000;
const LOC_BASE = '/subscriptions/{subscriptionId}/providers/Microsoft.ApiManagement/locations/{location}';

export interface DeletedServiceRecord {
  id: string;
  name: string;
  type: string;
  location: string;
  properties: { serviceId: string; scheduledPurgeDate: string; deletionDate: string };
  snapshot: { service: StoredResource; children: StoredResource[]; specs: Record<string, unknown> };
}

function records(env: LocalAzureContext): Record<string, DeletedServiceRecord> {
  const all: Record<string, DeletedServiceRecord> = (env.store.doc.extra.apimDeletedServices ??= {});
  // Past their scheduled purge date, records are gone (hard-deleted automatically).
  for (const [k, r] of Object.entries(all)) {
    if (Date.parse(r.properties.scheduledPurgeDate) <= env.now()) {
      delete all[k];
      env.store.markDirty();
    }
  }
  return all;
}

/** The live soft-deleted record holding a service name (names are global), if any. */
export function findDeleted(env: LocalAzureContext, name: string): DeletedServiceRecord | undefined {
  return records(env)[name.toLowerCase()];
}

const wire = ({ snapshot: _s, ...rest }: DeletedServiceRecord) => rest;

/** Puts a soft-deleted service and its children back into the store; returns the service. */
export function restoreSnapshot(env: LocalAzureContext, name: string): StoredResource {
  const all = records(env);
  const rec = all[name.toLowerCase()];
  delete all[name.toLowerCase()];
  const { service, children, specs } = rec.snapshot;
  for (const r of [service, ...children]) env.store.put(r);
  Object.assign((env.store.doc.extra.apimSpecs ??= {}), specs);
  env.store.markDirty();
  return service;
}

export function registerDeletedServices(env: LocalAzureContext): void {
  // Children go first in a tree delete (deepest first), so they are gathered here for the service's record; the
  // buffer empties at the end of the tick, so a child deleted on its own never lands in a later snapshot.
  const pending = new Map<string, { children: StoredResource[]; specs: Record<string, unknown> }>();
  const bucket = (serviceKey: string) => {
    if (!pending.size) queueMicrotask(() => pending.clear());
    let b = pending.get(serviceKey);
    if (!b) pending.set(serviceKey, (b = { children: [], specs: {} }));
    return b;
  };
  for (const type of CHILD_TYPES) {
    env.onDeleted(type, (e, r) => {
      const b = bucket(keyOf(serviceIdOf(r.id)));
      b.children.push(structuredClone(r));
      if (type === T.api) {
        const specs = e.store.doc.extra.apimSpecs ?? {};
        if (specs[keyOf(r.id)]) {
          b.specs[keyOf(r.id)] = specs[keyOf(r.id)];
          delete specs[keyOf(r.id)];
        }
      }
    });
  }
  env.onDeleted(SERVICE_TYPE, (e, r) => {
    const b = pending.get(keyOf(r.id)) ?? { children: [], specs: {} };
    pending.delete(keyOf(r.id));
    const loc = normalizeLocation(String(r.body.location));
    const now = e.now();
    const name = String(r.body.name);
    records(e)[name.toLowerCase()] = {
      id: `/subscriptions/${e.subscriptionId}/providers/Microsoft.ApiManagement/locations/${loc}/deletedservices/${name}`,
      name,
      type: TYPE,
      location: String(r.body.location),
      properties: { serviceId: r.id, scheduledPurgeDate: isoSeconds(now + RETENTION_MS), deletionDate: isoSeconds(now) },
      snapshot: { service: structuredClone(r), children: b.children, specs: b.specs },
    };
    e.hosts.release(r.id);
    e.store.markDirty();
  });
  env.lro.onPurge((e, op) => {
    const all = records(e);
    for (const [k, rec] of Object.entries(all)) {
      if (keyOf(rec.id) === op.resourceKey) {
        delete all[k];
        e.store.markDirty();
      }
    }
  });

  route(env, 'GET', '/subscriptions/{subscriptionId}/providers/Microsoft.ApiManagement/deletedservices', TYPE, () => ({
    status: 200,
    body: { value: Object.values(records(env)).map(wire), nextLink: null },
  }));

  const inLocation = (location: string, name: string): DeletedServiceRecord | undefined => {
    const rec = findDeleted(env, name);
    return rec && normalizeLocation(rec.location) === normalizeLocation(location) ? rec : undefined;
  };

  route(env, 'GET', `${LOC_BASE}/deletedservices/{serviceName}`, TYPE, (ctx) => {
    const rec = inLocation(ctx.params.location, ctx.params.serviceName);
    if (!rec) throw new ArmError(404, 'ResourceNotFound', `Api service ${ctx.params.serviceName} was not found in the soft-deleted state in location '${ctx.params.location}'.`);
    return { status: 200, body: wire(rec) };
  });

  // Purge: 202 + Location while the hard delete runs, 204 when nothing is soft-deleted under that name.
  route(env, 'DELETE', `${LOC_BASE}/deletedservices/{serviceName}`, TYPE, (ctx) => {
    const rec = inLocation(ctx.params.location, ctx.params.serviceName);
    if (!rec) return { status: 204 };
    const running = Object.values(env.store.doc.operations).find((o) => o.kind === 'purge' && o.status === 'InProgress' && o.resourceKey === keyOf(rec.id));
    const now = new Date().toISOString();
    const op = running ?? env.lro.start(ctx, { id: rec.id, type: TYPE, body: {}, createdAt: now, updatedAt: now }, 'purge');
    const loc = normalizeLocation(rec.location);
    const retry = env.latency.retryAfterSeconds(TYPE);
    return {
      status: 202,
      body: wire(rec),
      headers: {
        Location: `${env.baseUrl}/subscriptions/${env.subscriptionId}/providers/Microsoft.ApiManagement/locations/${loc}/operationresults/${op.id}?api-version=${ctx.apiVersion}`,
        ...(retry ? { 'Retry-After': String(retry) } : {}),
      },
    };
  });

  route(env, 'GET', `${LOC_BASE}/operationresults/{operationId}`, TYPE, (ctx) => {
    const op = env.lro.get(ctx.params.operationId);
    if (!op || op.kind !== 'purge') throw new ArmError(404, 'ResourceNotFound', `The operation '${ctx.params.operationId}' was not found.`);
    return locationReply(env, op, TYPE, () => ({ status: 200 }));
  });
}
