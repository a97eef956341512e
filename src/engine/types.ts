// The engine's vocabulary. A stack is a list of resources; each names its provider, what it depends on,
// and builds its desired body from the outputs of its dependencies. Providers do the I/O.
export type Outputs = Record<string, Record<string, unknown>>;

export interface DesiredResource<B = Record<string, unknown>> {
  key: string;
  kind: string;
  /** Human label, e.g. "storage account stdemo1a2b3c". */
  label: string;
  dependsOn: string[];
  /** Desired body from the outputs of dependencies (undefined values mean "known after create"). */
  build(outputs: Outputs): B;
}

export interface Observed {
  body: Record<string, unknown>;
  /** Non-terminal provisioning state: the resource is still being created or updated by an earlier run. */
  provisioning?: boolean;
}

export interface Provider<B = Record<string, unknown>> {
  read(resource: DesiredResource<B>, outputs: Outputs): Promise<Observed | undefined>;
  /** Its identity comes from other resources' outputs (a role assignment's name from a principal id). */
  readNeedsOutputs?: boolean;
  /** Field paths where observed differs from desired; [] = unchanged. */
  diff(desired: B, observed: Observed): string[];
  write(resource: DesiredResource<B>, desired: B, observed: Observed | undefined): Promise<Observed>;
  /** Waits for a resource an earlier run left provisioning. */
  wait?(resource: DesiredResource<B>): Promise<Observed | undefined>;
  outputs(observed: Observed, desired: B): Record<string, unknown>;
}

export type Action = 'create' | 'update' | 'unchanged';

export interface PlannedChange {
  key: string;
  label: string;
  action: Action;
  fields: string[];
  /** Could not be decided before dependencies exist (their outputs are unknown). */
  pending?: boolean;
}

/** What the engine reports as it works (the terminal, JSON and test hosts render these). */
export type EngineEvent =
  | { type: 'observe-start'; count: number }
  | { type: 'observe-done'; ms: number }
  | { type: 'step-start'; key: string; label: string; action: Action }
  | { type: 'step-waiting'; key: string; label: string; reason: string }
  | { type: 'step-done'; key: string; label: string; action: Action; fields: string[]; ms: number }
  | { type: 'step-failed'; key: string; label: string; error: Error; ms: number }
  | { type: 'warning'; message: string };

export type EventSink = (e: EngineEvent) => void;
