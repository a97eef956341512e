// The API `up` imported: its id is the spec's API path (e.g. "example"), read from the spec recorded in the settings.
import { resolve } from 'node:path';
import { readSettings } from '../project/settings.ts';
import { loadSpec } from '../spec/load-spec.ts';

export function importedApiId(): string {
  const s = readSettings();
  if (!s) return 'api';
  return loadSpec(resolve(s.spec), s.name).path || 'api';
}
