// Everything a provider needs to serve a request: state, the LRO engine, latency, and the endpoint's base URL.
import { randomUUID } from 'node:crypto';
import type { Store, StoredResource } from './state/store.ts';
import { keyOf } from './state/store.ts';
import { Router } from './http/router.ts';
import { LroEngine } from './arm/lro.ts';
import type { LatencyModel } from './latency.ts';
import { FaultInjector } from './faults.ts';
import { Throttle } from './throttle.ts';
import { RequestLog } from './request-log.ts';
import { HostRegistry } from './hosts.ts';

type DeleteHook = (env: LocalAzureContext, resource: StoredResource) => void;

export class LocalAzureContext {
  readonly store: Store;
  readonly router = new Router();
  readonly lro: LroEngine;
  readonly latency: LatencyModel;
  readonly faults = new FaultInjector();
  readonly throttle: Throttle;
  readonly log = new RequestLog();
  readonly recordBodies: boolean;
  /** Loopback listeners for data-plane endpoints (function apps, SCM, APIM gateways). */
  readonly hosts: HostRegistry;
  /** https://127.0.0.1:<port>, set once the server listens. */
  baseUrl = '';
  /** The local CA (PEM) that signs every host's certificate: what data-plane clients (the gateway) trust. */
  readonly caCertPem: string | undefined;
  private readonly deleteHooks = new Map<string, DeleteHook>();

  constructor(opts: { store: Store; latency: LatencyModel; throttle: boolean; recordBodies: boolean; tls: { cert: string; key: string; ca?: string } }) {
    this.store = opts.store;
    this.hosts = new HostRegistry(opts.store, { cert: opts.tls.cert, key: opts.tls.key });
    this.caCertPem = opts.tls.ca;
    this.latency = opts.latency;
    this.throttle = new Throttle(opts.throttle);
    this.recordBodies = opts.recordBodies;
    this.lro = new LroEngine(this);
  }

  now(): number {
    return Date.now();
  }

  get subscriptionId(): string {
    return this.store.doc.subscriptionId;
  }

  newId(): string {
    return randomUUID();
  }

  /** Called for each resource of this type removed by a delete (directly or as part of its parent). */
  onDeleted(resourceType: string, hook: DeleteHook): void {
    this.deleteHooks.set(resourceType.toLowerCase(), hook);
  }

  /** Removes a resource and everything nested below it (a resource group takes its resources with it). */
  deleteResourceTree(id: string): void {
    const root = this.store.get(id);
    const doomed = [...this.store.descendants(id), ...(root ? [root] : [])];
    // Deepest first, so hooks see parents still present.
    doomed.sort((a, b) => b.id.split('/').length - a.id.split('/').length);
    for (const r of doomed) {
      this.deleteHooks.get(r.type.toLowerCase())?.(this, r);
      this.store.delete(r.id);
    }
    for (const [opId, op] of Object.entries(this.store.doc.operations)) {
      if (op.status === 'InProgress' && (op.resourceKey === keyOf(id) || op.resourceKey.startsWith(keyOf(id) + '/'))) {
        if (op.kind !== 'delete') delete this.store.doc.operations[opId];
      }
    }
  }
}
