// After a deploy, the host must list the functions the package registers (ARM WebApps_ListFunctions
// reads them from the running host, so this proves the host loaded the new code). Bounded wait.
import type { AzureClients } from '../azure/clients.ts';
import { armError, armFailure } from '../azure/arm-errors.ts';
import { UserError } from '../errors.ts';
import type { Timing } from './one-deploy.ts';

/** Which expected names are missing from a listing ("app/fn" or "fn"), case-insensitively; [] = all there. */
export function missingFunctions(expected: string[], listed: string[]): string[] {
  const have = new Set(listed.map((n) => n.split('/').pop()!.toLowerCase()));
  return expected.filter((n) => !have.has(n.toLowerCase()));
}

export async function waitForFunctions(o: {
  clients: AzureClients;
  resourceGroup: string;
  functionApp: string;
  /** Names from the package; empty means "at least one". */
  expected: string[];
  timing: Timing;
  onWait?: (reason: string) => void;
}): Promise<string[]> {
  const sleep = o.timing.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + o.timing.warmupMs;
  const web = await o.clients.web();
  let last: string[] = [];
  let lastError: string | undefined;
  for (;;) {
    try {
      last = [];
      for await (const f of web.webApps.listFunctions(o.resourceGroup, o.functionApp)) last.push(String(f.name ?? '').split('/').pop()!);
      lastError = undefined;
      const missing = missingFunctions(o.expected, last);
      if (last.length && !missing.length) return last.sort();
      o.onWait?.(last.length ? `waiting for ${missing.join(', ')}` : 'the host to load the code');
    } catch (e) {
      // The host restarts after a deploy: 400/404/409/5xx for a while, as for host keys.
      const status = armFailure(e)?.statusCode ?? 0;
      if (![400, 404, 409, 429, 500, 502, 503].includes(status)) throw armError(`listing the functions of ${o.functionApp}`, e);
      lastError = `HTTP ${status}`;
    }
    if (Date.now() + o.timing.intervalMs > deadline) {
      const seen = last.length ? `it lists ${last.join(', ')}` : lastError ? `listing answered ${lastError}` : 'it lists none';
      const want = o.expected.length ? o.expected.join(', ') : 'at least one function';
      throw new UserError(`the code was deployed, but ${o.functionApp} did not list ${want} within ${Math.round(o.timing.warmupMs / 1000)}s (${seen}); check the function logs (Application Insights)`);
    }
    await sleep(o.timing.intervalMs);
  }
}
