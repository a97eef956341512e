// Which files go into the package. `.funcignore` has gitignore syntax, as Core Tools reads it; the `ignore`
// package implements that syntax fully (anchoring, `dir/` patterns, `**`, negation) and is what eslint and
// many others use, so a project's `.funcignore` means here what it means to `func azure functionapp publish`.
// Without a `.funcignore`, the package is exactly host.json, package.json, dist/ and node_modules/.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';

export interface PackageFile {
  /** Path inside the zip, '/'-separated, relative to the app root. */
  path: string;
  /** Absolute path on disk to read it from. */
  source: string;
  executable: boolean;
}

/** Never packaged, whatever `.funcignore` says: secrets, apim-fn's own state, VCS data, npm's install marker. */
const ALWAYS_EXCLUDED = ['.git/', '/local.settings.json', '/.apim-fn.json', '/.apim-fn-local/', '/node_modules/.package-lock.json'];

/** The default allow-list at the app root, used when the project has no `.funcignore`. */
const DEFAULT_ROOT = new Set(['host.json', 'package.json', 'dist', 'node_modules']);

export interface FileFilter {
  /** true when the path (directories end with '/') is left out. */
  excluded(path: string): boolean;
  usesFuncignore: boolean;
}

export function fileFilter(projectDir: string): FileFilter {
  const always: Ignore = ignore().add(ALWAYS_EXCLUDED);
  const funcignore = join(projectDir, '.funcignore');
  if (existsSync(funcignore)) {
    const rules: Ignore = ignore().add(readFileSync(funcignore, 'utf8'));
    return { usesFuncignore: true, excluded: (p) => always.ignores(p) || rules.ignores(p) };
  }
  return {
    usesFuncignore: false,
    excluded: (p) => always.ignores(p) || !DEFAULT_ROOT.has(p.split('/')[0].replace(/\/$/, '')),
  };
}

/**
 * Lists the files under `root` (relative paths prefixed with `prefix`), skipping excluded directories
 * without descending into them (as git does: a file under an ignored directory cannot be re-included).
 * Symbolic links are followed (npm links `file:` dependencies); a link back into a visited directory is skipped.
 */
export function listFiles(root: string, filter: FileFilter, opts: { prefix?: string; skipTop?: string[] } = {}): PackageFile[] {
  const out: PackageFile[] = [];
  const seen = new Set<string>();
  const walk = (abs: string, rel: string) => {
    const real = realpathSync(abs);
    if (seen.has(real)) return;
    seen.add(real);
    for (const name of readdirSync(abs).sort()) {
      const childRel = rel ? `${rel}/${name}` : name;
      if (!rel && opts.skipTop?.includes(name)) continue;
      const childAbs = join(abs, name);
      let st;
      try {
        st = statSync(childAbs);
      } catch {
        continue; // a dangling symlink: nothing to package
      }
      if (st.isDirectory()) {
        if (!filter.excluded(`${childRel}/`)) walk(childAbs, childRel);
      } else if (st.isFile() && !filter.excluded(childRel)) {
        out.push({ path: childRel, source: childAbs, executable: (st.mode & 0o111) !== 0 });
      }
    }
  };
  walk(root, opts.prefix ?? '');
  return out;
}
