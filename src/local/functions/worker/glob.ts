// The entry point glob of package.json "main" ("dist/src/functions/*.js"), matched as the Node.js worker's
// globby does for the patterns function apps use: *, **, ?, {a,b}. Files under node_modules are skipped
// unless the pattern names node_modules.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        // "**/" matches zero or more directories; a trailing "**" matches everything below.
        const slash = pattern[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${pattern.slice(i + 1, end).split(',').map(escape).join('|')})`;
        i = end;
      }
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`);
}

const escape = (s: string) => s.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');

const hasMagic = (pattern: string) => /[*?{]/.test(pattern);

/** Files (relative, '/'-separated, sorted) under `root` matching the pattern. */
export function globFiles(root: string, pattern: string): string[] {
  const clean = pattern.replace(/^\.\//, '');
  if (!hasMagic(clean)) return existsSync(join(root, clean)) && statSync(join(root, clean)).isFile() ? [clean] : [];
  const re = globToRegExp(clean);
  const withModules = clean.includes('node_modules');
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' && !withModules) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (re.test(relative(root, full).split(sep).join('/'))) out.push(relative(root, full).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}
