// `apim-fn status`: read-only. Each resource with its state and drift from the desired settings, and the
// endpoints. Sends no write (reads only, POST list calls included).
import { observeAll, planChanges } from '../engine/plan.ts';
import { createOutput } from '../ui/output.ts';
import { prepareStack, stackReport, type StackOptions } from './stack-context.ts';

export async function runStatus(o: StackOptions & { json?: boolean }): Promise<void> {
  const out = createOutput(o);
  const ctx = await prepareStack(o, out.info, { requireSettings: true });
  const observation = await observeAll(ctx.stack, ctx.providers, () => {});
  const report = stackReport(ctx, observation, planChanges(ctx.stack, ctx.providers, observation));
  const state = (r: (typeof report.resources)[number]) =>
    !r.exists ? 'missing' : r.provisioningState && r.provisioningState !== 'Succeeded' ? r.provisioningState : r.drift.length ? `drift: ${r.drift.join(', ')}` : 'ok';
  const width = Math.max(...report.resources.map((r) => r.label.length));
  out.data(
    report,
    [
      `${ctx.collection} on ${report.target === 'local' ? 'the local Azure' : 'Azure'} (subscription ${report.subscriptionId}, resource group ${report.resourceGroup})`,
      ...report.resources.map((r) => `  ${r.label.padEnd(width)}  ${state(r)}`),
      `  API        ${report.endpoints.apiUrl ?? '(not created)'}`,
      `  Docs       ${report.endpoints.docsUrl ?? '(not created)'}`,
      `  Functions  ${report.endpoints.functionAppUrl ?? '(not created)'}`,
    ].join('\n'),
  );
}
