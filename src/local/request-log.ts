// Every request the local Azure serves, for `apim-fn local log`, tests and benchmarks.
export interface RequestRecord {
  seq: number;
  time: string;
  method: string;
  path: string;
  apiVersion: string | null;
  status: number;
  durationMs: number;
  /** read, write or delete; POSTs that only read (listKeys, listSecrets) are reads. */
  kind: 'read' | 'write' | 'delete';
  resourceType?: string;
  fault?: string;
  /** Only when the local Azure runs with recordBodies (conformance tests). */
  request?: { url: string; headers: Record<string, string>; body?: unknown };
  response?: { headers: Record<string, string>; body?: unknown };
}

export class RequestLog {
  private readonly records: RequestRecord[] = [];
  private seq = 0;
  private readonly max: number;
  constructor(max = 200_000) {
    this.max = max;
  }

  add(r: Omit<RequestRecord, 'seq'>): void {
    this.records.push({ ...r, seq: ++this.seq });
    if (this.records.length > this.max) this.records.splice(0, this.records.length - this.max);
  }

  query(opts: { since?: number; writes?: boolean; bodies?: boolean } = {}): RequestRecord[] {
    return this.records
      .filter((r) => r.seq > (opts.since ?? 0) && (!opts.writes || r.kind !== 'read'))
      .map((r) => (opts.bodies ? r : { ...r, request: undefined, response: undefined }));
  }

  get lastSeq(): number {
    return this.seq;
  }
}
