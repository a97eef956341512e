import { test } from 'node:test';
import assert from 'node:assert/strict';
import { observeAll, planChanges, applyPlan, type Providers } from '../../src/engine/plan.ts';
import { diffFields } from '../../src/engine/diff.ts';
import type { DesiredResource, EngineEvent, Observed } from '../../src/engine/types.ts';

/** An in-memory "cloud" provider that records writes. */
function fakeCloud() {
  const state = new Map<string, Observed>();
  const writes: string[] = [];
  const provider = {
    read: async (r: DesiredResource, _o: unknown) => state.get(r.key),
    diff: (d: any, o: Observed) => diffFields(d, o.body),
    write: async (r: DesiredResource, d: any) => {
      writes.push(r.key);
      const o = { body: { ...d, id: `/ids/${r.key}` } };
      state.set(r.key, o);
      return o;
    },
    wait: async (r: DesiredResource) => {
      const o = state.get(r.key)!;
      o.provisioning = false;
      return o;
    },
    outputs: (o: Observed) => ({ id: o.body.id }),
  };
  return { state, writes, providers: { thing: provider } as Providers };
}

const stack = (tag: string): DesiredResource[] => [
  { key: 'rg', kind: 'thing', label: 'group', dependsOn: [], build: () => ({ location: 'eastus', tags: { t: tag } }) },
  { key: 'st', kind: 'thing', label: 'storage', dependsOn: ['rg'], build: (o) => ({ parent: o.rg?.id }) },
  { key: 'app', kind: 'thing', label: 'app', dependsOn: ['st'], build: (o) => ({ storage: o.st?.id }) },
];

test('fresh apply creates in dependency order with outputs flowing; a second run writes nothing', async () => {
  const cloud = fakeCloud();
  const events: EngineEvent[] = [];
  let obs = await observeAll(stack('a'), cloud.providers, (e) => events.push(e));
  assert.deepEqual(planChanges(stack('a'), cloud.providers, obs).map((c) => c.action), ['create', 'create', 'create']);
  const first = await applyPlan(stack('a'), cloud.providers, obs, (e) => events.push(e));
  assert.equal(first.failed, undefined);
  assert.deepEqual(cloud.writes, ['rg', 'st', 'app']);
  assert.deepEqual(cloud.state.get('app')!.body.storage, '/ids/st');

  obs = await observeAll(stack('a'), cloud.providers, () => {});
  assert.deepEqual(planChanges(stack('a'), cloud.providers, obs).map((c) => c.action), ['unchanged', 'unchanged', 'unchanged']);
  await applyPlan(stack('a'), cloud.providers, obs, () => {});
  assert.equal(cloud.writes.length, 3, 'zero writes when nothing changed');

  obs = await observeAll(stack('b'), cloud.providers, () => {});
  const plan = planChanges(stack('b'), cloud.providers, obs);
  assert.deepEqual(plan[0], { key: 'rg', label: 'group', action: 'update', fields: ['tags.t'] });
  await applyPlan(stack('b'), cloud.providers, obs, () => {});
  assert.deepEqual(cloud.writes.slice(3), ['rg'], 'only the changed resource is written');
});

test('a resource left provisioning is waited for, not re-written; failures stop dependants', async () => {
  const cloud = fakeCloud();
  cloud.state.set('rg', { body: { location: 'eastus', tags: { t: 'a' }, id: '/ids/rg' }, provisioning: true });
  const events: EngineEvent[] = [];
  const obs = await observeAll(stack('a'), cloud.providers, () => {});
  cloud.providers.thing.write = async (r: DesiredResource, d: any) => {
    cloud.writes.push(r.key);
    if (r.key === 'st') throw new Error('boom');
    return { body: d };
  };
  const result = await applyPlan(stack('a'), cloud.providers, obs, (e) => events.push(e));
  assert.ok(events.some((e) => e.type === 'step-waiting' && e.key === 'rg'));
  assert.deepEqual(cloud.writes, ['st']);
  assert.equal(result.failed?.key, 'st');
  assert.equal(result.changes.find((c) => c.key === 'app'), undefined, 'app never started');
});
