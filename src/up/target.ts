// Resolves where a command runs: the local Azure (started detached when it is not running) or Azure.
import type { Target } from '../azure/target.ts';
import { azureTarget, localTarget } from '../azure/target.ts';
import { findLocal } from '../local-control/admin-client.ts';
import { startDetached } from '../local-control/lifecycle.ts';
import { localDataDir } from '../local-control/data-dir.ts';

export async function resolveTarget(opts: { local?: boolean; subscription?: string; localData?: string }, info: (line: string) => void): Promise<Target & { localData?: string }> {
  if (!opts.local) return azureTarget({ subscription: opts.subscription });
  const dataDir = localDataDir(opts.localData);
  let conn = findLocal(dataDir);
  if (!conn) {
    info(`Starting the local Azure (data ${dataDir})`);
    conn = await startDetached({ dataDir });
  }
  const status = (await conn.call('GET', '/.local/status')).body;
  return { ...localTarget(status), localData: dataDir };
}
