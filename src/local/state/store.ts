// The local Azure's state: every resource, secret and long-running operation, persisted as one JSON document
// under the data dir with atomic replacement, so a crash mid-write never leaves a half-written state.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.ts';

export interface StoredResource {
  /** ARM id with the casing of the PUT that created it. */
  id: string;
  type: string;
  /** The resource as GET returns it (wire shape), minus anything in `secrets`. */
  body: Record<string, any>;
  /** Values never returned by GET: keys, secret named values. */
  secrets?: Record<string, any>;
  createdAt: string;
  updatedAt: string;
}

export interface Operation {
  id: string;
  /** Lowercased ARM id of the resource the operation acts on. */
  resourceKey: string;
  kind: 'provision' | 'delete' | 'purge';
  startedAt: number;
  readyAt: number;
  status: 'InProgress' | 'Succeeded' | 'Failed';
  error?: { code: string; message: string };
  /** Set on completion; used by pollers that return the final resource. */
  endedAt?: number;
}

export interface StateDocument {
  version: 1;
  subscriptionId: string;
  tenantId: string;
  resources: Record<string, StoredResource>;
  operations: Record<string, Operation>;
  /** Free-form per-provider data (soft-deleted services, host ports...), keyed by provider. */
  extra: Record<string, any>;
}

export const keyOf = (id: string): string => id.toLowerCase().replace(/\/+$/, '');

export class Store {
  readonly file: string | undefined;
  doc: StateDocument;
  private dirty = false;

  constructor(dataDir: string | undefined, init: () => StateDocument) {
    this.file = dataDir ? join(dataDir, 'state.json') : undefined;
    this.doc = this.file && existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as StateDocument) : init();
    this.dirty = true;
    this.flush();
  }

  get(id: string): StoredResource | undefined {
    return this.doc.resources[keyOf(id)];
  }

  put(resource: StoredResource): StoredResource {
    this.doc.resources[keyOf(resource.id)] = resource;
    this.dirty = true;
    return resource;
  }

  delete(id: string): boolean {
    const existed = keyOf(id) in this.doc.resources;
    delete this.doc.resources[keyOf(id)];
    this.dirty = existed || this.dirty;
    return existed;
  }

  /** Resources whose id starts with `${parentId}/`, i.e. nested below it (any depth). */
  descendants(parentId: string): StoredResource[] {
    const prefix = keyOf(parentId) + '/';
    return Object.entries(this.doc.resources)
      .filter(([k]) => k.startsWith(prefix))
      .map(([, r]) => r);
  }

  /** Resources of a type whose id starts with a scope prefix. */
  list(type: string, scopeId: string): StoredResource[] {
    const prefix = keyOf(scopeId) + '/';
    const t = type.toLowerCase();
    return Object.entries(this.doc.resources)
      .filter(([k, r]) => k.startsWith(prefix) && r.type.toLowerCase() === t)
      .map(([, r]) => r);
  }

  all(): StoredResource[] {
    return Object.values(this.doc.resources);
  }

  markDirty(): void {
    this.dirty = true;
  }

  /** Persists pending changes; called once at the end of every request that changed something. */
  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    if (this.file) writeFileAtomic(this.file, JSON.stringify(this.doc), 0o600);
  }
}
