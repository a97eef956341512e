// Invocation records per function app, what Application Insights' `requests` table holds for a Functions
// app: function name, invocation id, result, duration, time. Kept in memory (the newest MAX per site) and
// appended to <site dir>/invocations.jsonl so they survive a restart of the local Azure.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { keyOf } from '../state/store.ts';

export interface InvocationRecord {
  functionName: string;
  invocationId: string;
  /** 'Succeeded' or 'Failed', as the host's FunctionCompleted event reports it. */
  status: 'Succeeded' | 'Failed';
  durationMs: number;
  /** ISO start time. */
  timestamp: string;
  method: string;
  /** Path and query as the host received them. */
  url: string;
  httpStatus: number;
  /** The error of a failed invocation. */
  error?: string;
}

const MAX = 5000;

export class InvocationLog {
  private readonly bySite = new Map<string, InvocationRecord[]>();
  private readonly files = new Map<string, string>();

  /** Where a site's records are persisted; loads what is there. */
  attach(siteId: string, file: string): void {
    const key = keyOf(siteId);
    if (this.files.get(key) === file) return;
    this.files.set(key, file);
    if (this.bySite.has(key) || !existsSync(file)) return;
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-MAX);
    this.bySite.set(key, lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as InvocationRecord];
      } catch {
        return [];
      }
    }));
  }

  add(siteId: string, record: InvocationRecord): void {
    const key = keyOf(siteId);
    const list = this.bySite.get(key) ?? [];
    list.push(record);
    if (list.length > MAX) list.splice(0, list.length - MAX);
    this.bySite.set(key, list);
    const file = this.files.get(key);
    if (file) {
      try {
        appendFileSync(file, JSON.stringify(record) + '\n');
      } catch {
        /* the site was deleted meanwhile */
      }
    }
  }

  of(siteId: string): InvocationRecord[] {
    return [...(this.bySite.get(keyOf(siteId)) ?? [])];
  }

  forget(siteId: string): void {
    this.bySite.delete(keyOf(siteId));
    this.files.delete(keyOf(siteId));
  }
}
