// The project settings file (.apim-fn.json in the working directory): what `up` set up, so `keys`, `call`,
// `deploy`, `status` and `down` need no flags. It never holds secrets.
import { existsSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';

export const SETTINGS_FILE = '.apim-fn.json';

export interface ProjectSettings {
  name: string;
  target: 'azure' | 'local';
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  plan: 'flex' | 'consumption';
  names: import('../model/names.ts').StackNames;
  spec: string;
  /** Data dir of the local Azure, when target is local. */
  localData?: string;
}

export function settingsPath(dir = process.cwd()): string {
  return join(dir, SETTINGS_FILE);
}

export function readSettings(dir = process.cwd()): ProjectSettings | undefined {
  const f = settingsPath(dir);
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as ProjectSettings;
  } catch (e) {
    throw new UserError(`${f} is not valid JSON (${(e as Error).message}); fix or delete it`);
  }
}

export function writeSettings(s: ProjectSettings, dir = process.cwd()): void {
  const f = settingsPath(dir);
  writeFileSync(`${f}.tmp`, JSON.stringify(s, null, 2) + '\n');
  renameSync(`${f}.tmp`, f);
}

export function removeSettings(dir = process.cwd()): void {
  rmSync(settingsPath(dir), { force: true });
}
