// `apim-fn up`: validate everything locally, resolve the target, observe, plan, and converge the stack.
import { observeAll, planChanges, applyPlan } from '../engine/plan.ts';
import { createRenderer, describeChange } from '../ui/render-events.ts';
import { createOutput } from '../ui/output.ts';
import { writeSettings } from '../project/settings.ts';
import { UserError } from '../errors.ts';
import { prepareStack, stackReport, type StackOptions, type StackContext } from './stack-context.ts';
import type { EventSink } from '../engine/types.ts';

export interface UpOptions extends StackOptions {
  dryRun?: boolean;
  json?: boolean;
}

/** Observe, plan and apply: the whole of `up` after its inputs are checked (tests and benchmarks call it too). */
export async function converge(ctx: StackContext, events: EventSink) {
  const observation = await observeAll(ctx.stack, ctx.providers, events);
  const result = await applyPlan(ctx.stack, ctx.providers, observation, events);
  return { observation, result };
}

export async function runUp(o: UpOptions): Promise<void> {
  const out = createOutput(o);
  const ctx = await prepareStack(o, out.info);
  const renderer = await createRenderer({ json: out.json });
  const started = Date.now();
  try {
    const observation = await observeAll(ctx.stack, ctx.providers, renderer.event);
    const plan = planChanges(ctx.stack, ctx.providers, observation);
    if (o.dryRun) {
      renderer.stop();
      out.data({ dryRun: true, ...stackReport(ctx, observation, plan) }, ['Plan (nothing was changed):', ...plan.map(describeChange)].join('\n'));
      return;
    }
    const result = await applyPlan(ctx.stack, ctx.providers, observation, renderer.event);
    renderer.stop();
    if (result.failed) {
      const e = result.failed.error;
      throw e instanceof UserError ? e : new UserError(`${result.failed.label}: ${e.message}`);
    }
    writeSettings(ctx.settings);
    const report = stackReport(ctx, observation, result.changes, result.outputs);
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    const writes = result.changes.filter((c) => c.action !== 'unchanged').length;
    out.data(
      { ...report, codeDeployed: false, seconds },
      [
        `Done in ${seconds}s: ${writes ? `${writes} resource(s) created or updated` : 'everything was already up to date'}.`,
        `  API        ${report.endpoints.apiUrl}`,
        `  Docs       ${report.endpoints.docsUrl}`,
        `  Functions  ${report.endpoints.functionAppUrl}`,
        'No function code was deployed: the deploy step is not built yet, so calls reach an empty function app.',
        'Next: apim-fn keys    (subscription keys)',
      ].join('\n'),
    );
  } finally {
    renderer.stop();
  }
}
