// Observe → plan → apply. planChanges is pure: desired bodies (built from what is known) against observed
// ones. applyPlan runs the writes on the dependency graph, re-deciding each step with real outputs.
import type { Action, DesiredResource, EventSink, Observed, Outputs, PlannedChange, Provider } from './types.ts';
import { runGraph } from './graph.ts';

export type Providers = Record<string, Provider<any>>;

export interface Observation {
  observed: Map<string, Observed | undefined>;
  outputs: Outputs;
}

const hasUnknown = (v: unknown): boolean =>
  v === undefined || (v !== null && typeof v === 'object' && Object.values(v as object).some((x) => x === undefined || (typeof x === 'object' && x !== null && hasUnknown(x))));

/**
 * Every read at once: nothing in a read depends on another read, except for resources whose identity
 * comes from other resources' outputs; those are read in a second wave.
 */
export async function observeAll(stack: DesiredResource[], providers: Providers, events: EventSink): Promise<Observation> {
  const started = Date.now();
  events({ type: 'observe-start', count: stack.length });
  const observed = new Map<string, Observed | undefined>();
  const outputs: Outputs = {};
  const firstWave = stack.filter((r) => !provider(providers, r).readNeedsOutputs);
  const results = await Promise.all(firstWave.map((r) => provider(providers, r).read(r, outputs)));
  firstWave.forEach((r, i) => observed.set(r.key, results[i]));
  // Outputs of existing resources are known up front, in dependency order (stack order is topological).
  const collect = () => {
    for (const r of stack) {
      const o = observed.get(r.key);
      if (o && !outputs[r.key]) outputs[r.key] = provider(providers, r).outputs(o, r.build(outputs));
    }
  };
  collect();
  const secondWave = stack.filter((r) => provider(providers, r).readNeedsOutputs);
  const later = await Promise.all(secondWave.map((r) => (hasUnknown(r.build(outputs)) ? undefined : provider(providers, r).read(r, outputs))));
  secondWave.forEach((r, i) => observed.set(r.key, later[i]));
  collect();
  events({ type: 'observe-done', ms: Date.now() - started });
  return { observed, outputs };
}

export function planChanges(stack: DesiredResource[], providers: Providers, obs: Observation): PlannedChange[] {
  return stack.map((r) => {
    const o = obs.observed.get(r.key);
    if (!o) return { key: r.key, label: r.label, action: 'create' as Action, fields: [] };
    const desired = r.build(obs.outputs);
    const fields = provider(providers, r).diff(desired, o);
    const pending = r.dependsOn.some((d) => !obs.observed.get(d)) || hasUnknown(desired);
    return { key: r.key, label: r.label, action: (fields.length || o.provisioning ? 'update' : 'unchanged') as Action, fields, ...(pending ? { pending } : {}) };
  });
}

export interface ApplyResult {
  changes: PlannedChange[];
  outputs: Outputs;
  failed?: { key: string; label: string; error: Error };
}

export async function applyPlan(stack: DesiredResource[], providers: Providers, obs: Observation, events: EventSink): Promise<ApplyResult> {
  const outputs: Outputs = { ...obs.outputs };
  const changes = new Map<string, PlannedChange>();
  const byKey = new Map(stack.map((r) => [r.key, r]));
  const result = await runGraph(
    stack.map((r) => ({
      key: r.key,
      dependsOn: r.dependsOn,
      run: async () => {
        const p = provider(providers, r);
        const started = Date.now();
        let observed = obs.observed.get(r.key);
        try {
          if (observed?.provisioning && p.wait) {
            events({ type: 'step-waiting', key: r.key, label: r.label, reason: 'still provisioning from an earlier run' });
            observed = await p.wait(r);
          }
          const desired = r.build(outputs);
          const fields = observed ? p.diff(desired, observed) : [];
          const action: Action = !observed ? 'create' : fields.length ? 'update' : 'unchanged';
          if (action !== 'unchanged') {
            events({ type: 'step-start', key: r.key, label: r.label, action });
            observed = await p.write(r, desired, observed);
          }
          outputs[r.key] = p.outputs(observed!, desired);
          changes.set(r.key, { key: r.key, label: r.label, action, fields });
          events({ type: 'step-done', key: r.key, label: r.label, action, fields, ms: Date.now() - started });
        } catch (e) {
          events({ type: 'step-failed', key: r.key, label: r.label, error: e as Error, ms: Date.now() - started });
          throw e;
        }
      },
    })),
    undefined,
  );
  const failed = result.failed[0];
  return {
    changes: stack.filter((r) => changes.has(r.key)).map((r) => changes.get(r.key)!),
    outputs,
    ...(failed ? { failed: { key: failed.key, label: byKey.get(failed.key)!.label, error: failed.error as Error } } : {}),
  };
}

function provider(providers: Providers, r: DesiredResource): Provider<any> {
  const p = providers[r.kind];
  if (!p) throw new Error(`no provider for ${r.kind}`);
  return p;
}
