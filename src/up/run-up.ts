// `apim-fn up`: validate everything locally, resolve the target, observe, plan, and converge the stack.
import { observeAll, planChanges, applyPlan } from '../engine/plan.ts';
import { createRenderer, describeChange } from '../ui/render-events.ts';
import { createOutput } from '../ui/output.ts';
import { writeSettings } from '../project/settings.ts';
import { UserError } from '../errors.ts';
import { prepareStack, stackReport, type StackOptions, type StackContext } from './stack-context.ts';
import type { EventSink } from '../engine/types.ts';
import { deployStep } from './deploy-step.ts';

export interface UpOptions extends StackOptions {
  dryRun?: boolean;
  /** commander's --no-deploy. */
  deploy?: boolean;
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
  // Ctrl-C: nothing is rolled back and nothing is lost; the next run picks up where this one stopped.
  const onInterrupt = () => {
    renderer.stop();
    process.stderr.write("\ninterrupted: what finished is kept and anything still provisioning is waited for next time; run 'apim-fn up' again to finish\n");
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
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
    const deployed = o.deploy === false ? undefined : await deployStep(ctx, renderer.event, out.info);
    renderer.stop();
    const report = stackReport(ctx, observation, result.changes, result.outputs);
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    const writes = result.changes.filter((c) => c.action !== 'unchanged').length;
    out.data(
      { ...report, code: deployed ? { deployed: true, uploaded: deployed.uploaded, sha256: deployed.sha256, bytes: deployed.bytes, functions: deployed.functions } : { deployed: false }, seconds },
      [
        `Done in ${seconds}s: ${writes ? `${writes} resource(s) created or updated` : 'everything was already up to date'}.`,
        `  API        ${report.endpoints.apiUrl}`,
        `  Docs       ${report.endpoints.docsUrl}`,
        `  Functions  ${report.endpoints.functionAppUrl}`,
        deployed
          ? `  Code       ${deployed.uploaded ? 'deployed' : 'unchanged'} (${deployed.functions?.length ?? 0} functions, package ${deployed.sha256.slice(0, 12)})`
          : '  Code       not deployed (--no-deploy)',
        'Next: apim-fn keys                        subscription keys',
        '      apim-fn call getter --message world  call the API through the gateway',
      ].join('\n'),
    );
  } finally {
    process.off('SIGINT', onInterrupt);
    renderer.stop();
  }
}
