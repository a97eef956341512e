// Drift between what we want and what Azure has: only the fields we set are compared, so server-side
// defaults and read-only fields never show up as changes. Pure data in, field paths out.
export interface DiffOptions {
  /** Paths (dot-separated) compared case-insensitively, e.g. location. */
  caseInsensitive?: string[];
  /** Arrays compared as sets of items, e.g. appSettings by name. */
  keyedArrays?: Record<string, string>;
}

export function diffFields(desired: unknown, observed: unknown, opts: DiffOptions = {}, path = ''): string[] {
  if (desired === undefined) return [];
  if (desired === null || typeof desired !== 'object') {
    if (typeof desired === 'string' && typeof observed === 'string' && opts.caseInsensitive?.includes(path)) {
      return desired.toLowerCase() === observed.toLowerCase() ? [] : [path];
    }
    return desired === observed ? [] : [path];
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(observed)) return [path];
    const key = opts.keyedArrays?.[path];
    if (key) {
      const byKey = new Map(observed.map((o: any) => [String(o?.[key]).toLowerCase(), o]));
      if (observed.length !== desired.length) return [path];
      // Items match by key (case-insensitively, as ARM names do); the rest of each item is compared.
      const rest = (item: any) => (item && typeof item === 'object' ? Object.fromEntries(Object.entries(item).filter(([k]) => k !== key)) : item);
      return desired.some((d: any) => {
        const match = byKey.get(String(d?.[key]).toLowerCase());
        return match === undefined || diffFields(rest(d), rest(match), opts, `${path}[]`).length > 0;
      })
        ? [path]
        : [];
    }
    if (desired.length !== observed.length) return [path];
    return desired.some((d, i) => diffFields(d, observed[i], opts, `${path}[]`).length) ? [path] : [];
  }
  if (observed === null || typeof observed !== 'object' || Array.isArray(observed)) return [path || '.'];
  const out: string[] = [];
  for (const [k, v] of Object.entries(desired as Record<string, unknown>)) {
    const obsEntry = findKey(observed as Record<string, unknown>, k);
    out.push(...diffFields(v, obsEntry, opts, path ? `${path}.${k}` : k));
  }
  return out;
}

/** ARM property names are case-insensitive on the wire (WorkspaceResourceId vs workspaceResourceId). */
function findKey(obj: Record<string, unknown>, k: string): unknown {
  if (k in obj) return obj[k];
  const lower = k.toLowerCase();
  for (const [key, v] of Object.entries(obj)) if (key.toLowerCase() === lower) return v;
  return undefined;
}
