// Fault runs: for every write `up` sends, a run where that write fails (429, 503, dropped connection, LRO
// Failed) either completes or fails clearly, and the next run converges to the same state as a clean run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startHarness, type LocalAzureHarness } from '../helpers/local-azure.ts';
import { localTarget } from '../../src/azure/target.ts';
import { prepareStack } from '../../src/up/stack-context.ts';
import { converge } from '../../src/up/run-up.ts';
import { observeAll, planChanges } from '../../src/engine/plan.ts';
import { UserError } from '../../src/errors.ts';

const spec = fileURLToPath(new URL('../../api-spec.yml', import.meta.url));
let h: LocalAzureHarness;
// ARM throttling would pace this test's hundreds of runs (a 429 + Retry-After every few runs): off here,
// tested on its own in faults.test.ts.
before(async () => {
  h = await startHarness({ throttle: false });
});
after(() => h.close());

async function context() {
  const target = localTarget({ endpoint: h.azure.endpoint, caCert: h.azure.caCertPath, subscriptionId: h.sub });
  return prepareStack({ name: 'faulty', spec, location: 'westeurope', plan: 'flex' }, () => {}, { target });
}
const lastSeq = async () => (await h.admin('GET', '/.local/log')).body.lastSeq as number;
const writesSince = async (seq: number) => ((await h.admin('GET', `/.local/log?since=${seq}&writes=1`)).body.requests as any[]).filter((r) => r.status < 400);
/** The final state as ARM ids; role assignment names derive from the (new) app identity, so they are masked. */
const resourceIds = () =>
  h.azure.env.store
    .all()
    .map((r) => r.id.toLowerCase().replace(/(roleassignments\/)[0-9a-f-]{36}$/, '$1<guid>'))
    .sort();

async function assertConverged(label: string, cleanIds: string[]) {
  const ctx = await context();
  const plan = planChanges(ctx.stack, ctx.providers, await observeAll(ctx.stack, ctx.providers, () => {}));
  assert.deepEqual(plan.filter((c) => c.action !== 'unchanged').map((c) => c.key), [], `${label}: nothing left to change`);
  assert.deepEqual(resourceIds(), cleanIds, `${label}: the same resources as a clean run`);
}

test('every write of up, failing in each way, ends in the clean state after at most one more run', { timeout: 600_000 }, async () => {
  const seq = await lastSeq();
  const clean = await converge(await context(), () => {});
  assert.equal(clean.result.failed, undefined);
  const writes = [...new Map((await writesSince(seq)).map((r) => [`${r.method} ${r.path}`, r])).values()];
  const cleanIds = resourceIds();
  assert.ok(writes.length >= 20, `up sends its writes (${writes.length})`);

  const faults = [
    { name: '429', action: { type: 'status', status: 429, retryAfter: 0 }, count: 1 },
    { name: '503', action: { type: 'status', status: 503, retryAfter: 0 }, count: 1 },
    { name: 'drop', action: { type: 'drop' }, count: 1 },
    { name: 'lro-failed', action: { type: 'lro-failed', code: 'InternalServerError', message: 'injected' }, count: 1 },
  ];
  let failedClearly = 0;
  let completed = 0;
  for (const w of writes) {
    for (const f of faults) {
      const label = `${f.name} on ${w.method} ${w.path.replace(/^.*\/resourceGroups\//, '')}`;
      assert.equal((await h.admin('POST', '/.local/reset')).status, 204);
      const path = w.path.replace(/[[\]().+^$|\\]/g, '\\$&');
      assert.equal((await h.admin('POST', '/.local/faults', { method: w.method, path: `~^${path}$`, action: f.action, count: f.count })).status, 201);
      const t0 = Date.now();
      const first = await converge(await context(), () => {});
      if (process.env.FAULT_TIMING) console.error(`${Date.now() - t0}ms ${label}`);
      await h.admin('DELETE', '/.local/faults');
      if (first.result.failed) {
        failedClearly++;
        const e = first.result.failed.error;
        assert.ok(e instanceof UserError, `${label}: a user-facing error, not a crash: ${e?.stack}`);
        assert.doesNotMatch(e.message, /\n/, `${label}: one line`);
        const second = await converge(await context(), () => {});
        assert.equal(second.result.failed, undefined, `${label}: the next run converges (${second.result.failed?.error.message})`);
      } else completed++;
      await assertConverged(label, cleanIds);
    }
  }
  // Retries absorb single 429/503/drops; LRO failures stop the run.
  assert.ok(completed > 0 && failedClearly > 0, `completed ${completed}, failed clearly ${failedClearly}`);
});
