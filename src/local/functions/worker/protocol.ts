// Messages between the function host (parent) and a worker process (child), over the fork IPC channel with
// structured-clone serialization, so bodies travel as bytes. They carry what the real host and Node.js worker
// exchange over gRPC (FunctionRpc.proto): indexed function metadata, InvocationRequest with RpcHttp data,
// InvocationResponse, RpcLog.

/** FunctionRpc.proto RpcHttp with the worker's capabilities (UseNullableValueDictionaryForHttp, RpcHttpBodyOnly, RawHttpBodyBytes). */
export interface RpcHttpRequest {
  method: string;
  url: string;
  nullableHeaders: Record<string, { value: string }>;
  nullableQuery: Record<string, { value: string }>;
  nullableParams: Record<string, { value: string }>;
  body?: { bytes: Uint8Array };
  identities: unknown[];
}

/** A function as the worker indexed it (RpcFunctionMetadata). */
export interface IndexedFunction {
  functionId: string;
  name: string;
  bindings: Record<string, { type: string; direction: string; [k: string]: unknown }>;
  rawBindings: string[];
  scriptFile: string;
  directory: string;
}

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Uint8Array;
}

export type ToWorker =
  | { type: 'invoke'; id: string; functionId: string; triggerName: string; http: RpcHttpRequest; traceParent: string }
  | { type: 'terminate' };

export type FromWorker =
  | { type: 'ready'; functions: IndexedFunction[]; loadMs: number }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: string; ok: true; http: HttpResult | null }
  | { type: 'result'; id: string; ok: false; error: string }
  | { type: 'log'; level: string; category: string; message: string; invocationId?: string };
