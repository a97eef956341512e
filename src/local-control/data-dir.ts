// Where the local Azure keeps its state: --data, else APIM_FN_LOCAL_DATA, else ~/.apim-fn/local.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function localDataDir(flag?: string): string {
  if (flag) return resolve(flag);
  if (process.env.APIM_FN_LOCAL_DATA) return resolve(process.env.APIM_FN_LOCAL_DATA);
  return join(homedir(), '.apim-fn', 'local');
}
