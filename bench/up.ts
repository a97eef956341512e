// bench/up: `up` on the local Azure with realistic LRO latency, side by side with the critical-path lower
// bound that the latency model implies. Run: node bench/up.ts [--time-scale 0.05] [--runs 1]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startHarness } from '../test/helpers/local-azure.ts';
import { localTarget } from '../src/azure/target.ts';
import { prepareStack } from '../src/up/stack-context.ts';
import { converge } from '../src/up/run-up.ts';
import { LatencyModel } from '../src/local/latency.ts';
import type { DesiredResource } from '../src/engine/types.ts';

const { values } = parseArgs({ options: { 'time-scale': { type: 'string', default: '0.05' }, plan: { type: 'string', default: 'flex' } } });
const timeScale = Number(values['time-scale']);
const spec = fileURLToPath(new URL('../api-spec.yml', import.meta.url));

// Stack kinds → the ARM type whose LRO the local Azure times (src/local/latency.ts); others answer at once.
const LRO_TYPE: Record<string, string> = {
  storageAccount: 'Microsoft.Storage/storageAccounts',
  workspace: 'Microsoft.OperationalInsights/workspaces',
  plan: 'Microsoft.Web/serverfarms',
  functionApp: 'Microsoft.Web/sites',
  apim: 'Microsoft.ApiManagement/service',
  api: 'Microsoft.ApiManagement/service/apis',
  namedValue: 'Microsoft.ApiManagement/service/namedValues',
};

function criticalPathMs(stack: DesiredResource[], model: LatencyModel): { ms: number; path: string[] } {
  const memo = new Map<string, { ms: number; path: string[] }>();
  const byKey = new Map(stack.map((r) => [r.key, r]));
  const visit = (key: string): { ms: number; path: string[] } => {
    if (memo.has(key)) return memo.get(key)!;
    const r = byKey.get(key)!;
    const own = LRO_TYPE[r.kind] ? model.durationMs(LRO_TYPE[r.kind], 'provision') : 0;
    const before = r.dependsOn.map(visit).sort((a, b) => b.ms - a.ms)[0] ?? { ms: 0, path: [] };
    const result = { ms: before.ms + own, path: [...before.path, key] };
    memo.set(key, result);
    return result;
  };
  return stack.map((r) => visit(r.key)).sort((a, b) => b.ms - a.ms)[0];
}

const h = await startHarness({ latency: 'realistic', timeScale, throttle: true });
try {
  const target = localTarget({ endpoint: h.azure.endpoint, caCert: h.azure.caCertPath, subscriptionId: h.sub });
  const ctx = () => prepareStack({ name: 'bench', spec, location: 'westeurope', plan: values.plan as 'flex' | 'consumption' }, () => {}, { target });
  const seq = async () => (await h.admin('GET', '/.local/log')).body.lastSeq as number;
  const requests = async (since: number, writes = false) => (await h.admin('GET', `/.local/log?since=${since}${writes ? '&writes=1' : ''}`)).body.requests.length as number;

  const first = await ctx();
  const bound = criticalPathMs(first.stack, new LatencyModel('realistic', timeScale));
  let s = await seq();
  let t = performance.now();
  const fresh = await converge(first, () => {});
  const freshMs = performance.now() - t;
  if (fresh.result.failed) throw fresh.result.failed.error;
  const freshRequests = await requests(s);
  const freshWrites = await requests(s, true);

  s = await seq();
  t = performance.now();
  await converge(await ctx(), () => {});
  const noopMs = performance.now() - t;
  const noopRequests = await requests(s);
  const noopWrites = await requests(s, true);

  const row = (k: string, v: string) => console.log(`${k.padEnd(38)} ${v}`);
  console.log(`up on the local Azure, latency realistic x${timeScale}, plan ${values.plan}`);
  row('fresh up wall time', `${(freshMs / 1000).toFixed(2)} s`);
  row('critical-path lower bound (LRO model)', `${(bound.ms / 1000).toFixed(2)} s  (${bound.path.join(' → ')})`);
  row('ratio wall / bound', (freshMs / bound.ms).toFixed(2));
  row('fresh up requests (writes)', `${freshRequests} (${freshWrites})`);
  row('no-op up wall time', `${(noopMs / 1000).toFixed(2)} s`);
  row('no-op up requests (writes)', `${noopRequests} (${noopWrites})`);
} finally {
  await h.close();
}
