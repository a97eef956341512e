// Resource names derived from the collection name, each checked against its provider's rules before any
// request is sent, so a bad name fails fast with a message that says which flag fixes it.
import { createHash } from 'node:crypto';
import { usageError } from '../errors.ts';

export interface StackNames {
  collection: string;
  resourceGroup: string;
  storageAccount: string;
  plan: string;
  functionApp: string;
  workspace: string;
  insights: string;
  apim: string;
}

export type NameOverrides = Partial<Omit<StackNames, 'collection'>>;

/** The collection names the API (`apim-<collection>.azure-api.net`): 1–45 lowercase letters, digits, hyphens. */
export function checkCollectionName(name: string): void {
  if (!/^[a-z](?:[a-z0-9-]{0,43}[a-z0-9])?$/.test(name) || name.includes('--')) {
    throw usageError(
      `invalid --name '${name}': use 1-45 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (it becomes apim-${name}.azure-api.net)`,
    );
  }
}

/** A stable short suffix: the same collection (and subscription) always gets the same storage name. */
function suffix(collection: string, salt: string): string {
  return createHash('sha256').update(`${salt}/${collection}`).digest('hex').slice(0, 6);
}

const RULES: Record<keyof NameOverrides, { flag: string; test: (n: string) => boolean; rule: string }> = {
  resourceGroup: { flag: '--resource-group', test: (n) => /^[-\w.()]{1,90}$/.test(n) && !n.endsWith('.'), rule: '1-90 letters, digits, _ - . ( ), not ending with .' },
  storageAccount: { flag: '--storage-account', test: (n) => /^[a-z0-9]{3,24}$/.test(n), rule: '3-24 lowercase letters and digits' },
  plan: { flag: '--plan-name', test: (n) => /^[a-zA-Z0-9-]{1,40}$/.test(n), rule: '1-40 letters, digits and hyphens' },
  functionApp: { flag: '--function-app', test: (n) => /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,58}[a-zA-Z0-9])$/.test(n), rule: '2-60 letters, digits and hyphens, not starting or ending with a hyphen' },
  workspace: { flag: '--workspace', test: (n) => /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{2,61}[a-zA-Z0-9])$/.test(n), rule: '4-63 letters, digits and hyphens, starting and ending alphanumeric' },
  insights: { flag: '--app-insights', test: (n) => /^[^%&\\?/]{1,255}$/.test(n) && !n.endsWith('.') && !n.endsWith(' '), rule: '1-255 characters without % & \\ ? /' },
  apim: { flag: '--apim-name', test: (n) => /^[a-zA-Z](?:[a-zA-Z0-9-]{0,48}[a-zA-Z0-9])?$/.test(n), rule: '1-50 letters, digits and hyphens, starting with a letter and ending alphanumeric' },
};

export function deriveNames(collection: string, overrides: NameOverrides = {}, salt = ''): StackNames {
  checkCollectionName(collection);
  const compact = collection.replace(/-/g, '');
  const names: StackNames = {
    collection,
    resourceGroup: `rg-${collection}`,
    storageAccount: `st${compact.slice(0, 16)}${suffix(collection, salt)}`,
    plan: `plan-${collection}`.slice(0, 40).replace(/-+$/, ''),
    functionApp: `fa-${collection}-func`,
    workspace: `log-${collection}`,
    insights: `appi-${collection}`,
    apim: `apim-${collection}`,
  };
  for (const [key, value] of Object.entries(overrides) as Array<[keyof NameOverrides, string | undefined]>) {
    if (value !== undefined) names[key] = value;
  }
  for (const key of Object.keys(RULES) as Array<keyof NameOverrides>) {
    const r = RULES[key];
    if (!r.test(names[key])) throw usageError(`invalid ${key} name '${names[key]}': ${r.rule} (set it with ${r.flag})`);
  }
  return names;
}
