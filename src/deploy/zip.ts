// Deterministic zip: the same files give the same bytes, so the package's sha256 says whether the code
// changed. fflate writes exactly the fields it is given (no extended-timestamp or uid/gid extra fields,
// which other zip writers add from the file system), its DEFLATE output depends only on the input and the
// level, and it reads zips back for the tests. Entries are sorted by path (code units, not locale), every
// entry has the DOS timestamp 1980-01-01 00:00:00 and Unix mode 0644 (0755 when the file is executable
// in the source: npm packages may ship scripts they spawn), and there are no directory entries.
import { zipSync, unzipSync, type Zippable } from 'fflate';

export interface ZipInput {
  path: string;
  data: Uint8Array;
  executable?: boolean;
}

/**
 * 1980-01-01 00:00:00 in local time: fflate encodes the DOS timestamp with local-time getters, so a
 * local-time constructor gives the same bytes in every time zone. Built per call: the zone may change
 * while the process runs (TZ), and a date built earlier would then read back as 1979.
 */
const epoch = () => new Date(1980, 0, 1, 0, 0, 0);
const UNIX = 3;
const REGULAR_FILE = 0o100000;

export function deterministicZip(files: ZipInput[]): Uint8Array {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const entries: Zippable = {};
  const mtime = epoch();
  for (const f of sorted) {
    if (f.path in entries) throw new Error(`duplicate zip entry ${f.path}`);
    const mode = REGULAR_FILE | (f.executable ? 0o755 : 0o644);
    entries[f.path] = [f.data, { mtime, os: UNIX, attrs: (mode << 16) >>> 0, level: 6 }];
  }
  return zipSync(entries);
}

/** Reads a zip back: entry names in stored order, and their contents. */
export function readZip(zip: Uint8Array): { names: string[]; files: Record<string, Uint8Array> } {
  const files = unzipSync(zip);
  return { names: Object.keys(files), files };
}
