// Long-running operations as ARM runs them: an operation record per PUT/DELETE that takes time, settled
// lazily (on every request and by a sweep), so completion survives a restart of the local Azure.
import { randomUUID } from 'node:crypto';
import type { Operation, StoredResource } from '../state/store.ts';
import { keyOf } from '../state/store.ts';
import type { Reply, RequestContext } from '../http/router.ts';
import type { LocalAzureContext } from '../context.ts';

type Hook = (env: LocalAzureContext, resource: StoredResource, op: Operation) => void;

export class LroEngine {
  private readonly env: LocalAzureContext;
  private readonly hooks = new Map<string, Hook>();
  constructor(env: LocalAzureContext) {
    this.env = env;
  }

  /** Registers what happens when an operation of `kind` on `resourceType` completes successfully. */
  onComplete(resourceType: string, kind: Operation['kind'], hook: Hook): void {
    this.hooks.set(`${resourceType.toLowerCase()}:${kind}`, hook);
  }

  /** Starts an operation; an `lro-failed` fault on this request makes it end Failed. */
  start(ctx: RequestContext, resource: StoredResource, kind: Operation['kind']): Operation {
    const now = this.env.now();
    const failure = ctx.faults?.find((f) => f.type === 'lro-failed');
    const op: Operation = {
      id: randomUUID(),
      resourceKey: keyOf(resource.id),
      kind,
      startedAt: now,
      readyAt: now + this.env.latency.durationMs(resource.type, kind),
      status: 'InProgress',
      error:
        failure && failure.type === 'lro-failed'
          ? { code: failure.code ?? 'InternalServerError', message: failure.message ?? 'The operation failed (injected fault).' }
          : undefined,
    };
    this.env.store.doc.operations[op.id] = op;
    this.env.store.markDirty();
    this.settleDue();
    return op;
  }

  get(id: string): Operation | undefined {
    this.settleDue();
    return this.env.store.doc.operations[id];
  }

  /** The operation still running on a resource, if any. */
  running(resourceId: string): Operation | undefined {
    this.settleDue();
    const key = keyOf(resourceId);
    return Object.values(this.env.store.doc.operations).find((o) => o.resourceKey === key && o.status === 'InProgress');
  }

  settleDue(): void {
    const now = this.env.now();
    for (const op of Object.values(this.env.store.doc.operations)) {
      if (op.status === 'InProgress' && now >= op.readyAt) this.settle(op);
    }
    // Completed operations stay pollable for an hour, as ARM keeps operation results for a while.
    for (const [id, op] of Object.entries(this.env.store.doc.operations)) {
      if (op.endedAt && now - op.endedAt > 3600_000) delete this.env.store.doc.operations[id];
    }
  }

  private settle(op: Operation): void {
    const store = this.env.store;
    op.endedAt = this.env.now();
    store.markDirty();
    const resource = store.doc.resources[op.resourceKey];
    if (op.error) {
      op.status = 'Failed';
      if (resource?.body.properties && op.kind === 'provision') resource.body.properties.provisioningState = 'Failed';
      if (resource && op.kind === 'delete' && resource.body.properties) resource.body.properties.provisioningState = 'Failed';
      return;
    }
    op.status = 'Succeeded';
    if (!resource && op.kind !== 'purge') return;
    const hook = this.hooks.get(`${(resource?.type ?? '').toLowerCase()}:${op.kind}`);
    if (op.kind === 'provision' && resource) {
      if (resource.body.properties) resource.body.properties.provisioningState = 'Succeeded';
      hook?.(this.env, resource, op);
    } else if (op.kind === 'delete' && resource) {
      hook?.(this.env, resource, op);
      this.env.deleteResourceTree(resource.id);
    } else if (op.kind === 'purge') {
      for (const h of this.purgeHooks) h(this.env, op);
    }
  }

  private readonly purgeHooks: Array<(env: LocalAzureContext, op: Operation) => void> = [];
  onPurge(hook: (env: LocalAzureContext, op: Operation) => void): void {
    this.purgeHooks.push(hook);
  }
}

/** Poll reply for Azure-AsyncOperation / Operation-Location URLs: 200 with a status body. */
export function asyncOperationReply(env: LocalAzureContext, op: Operation, resourceType: string): Reply {
  const body: Record<string, unknown> = {
    id: op.id,
    name: op.id,
    status: op.status,
    startTime: new Date(op.startedAt).toISOString(),
  };
  if (op.endedAt) body.endTime = new Date(op.endedAt).toISOString();
  if (op.error) body.error = op.error;
  return { status: 200, body, headers: retryAfterHeader(env, resourceType, op) };
}

/** Poll reply for Location URLs: 202 while running, then `done()` (or the error with its status). */
export function locationReply(env: LocalAzureContext, op: Operation, resourceType: string, done: () => Reply): Reply {
  if (op.status === 'InProgress') return { status: 202, headers: retryAfterHeader(env, resourceType, op) };
  if (op.status === 'Failed') return { status: 500, body: { error: op.error } };
  return done();
}

function retryAfterHeader(env: LocalAzureContext, resourceType: string, op: Operation): Record<string, string> {
  if (op.status !== 'InProgress') return {};
  const s = env.latency.retryAfterSeconds(resourceType);
  return s === undefined ? {} : { 'Retry-After': String(s) };
}
