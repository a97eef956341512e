// Builds the real function template (templates/function) and zips it as a deployment package: dist,
// host.json, package.json and the production node_modules (the non-dev entries of package-lock.json).
// The zip is deterministic (sorted entries, fixed timestamps), made with fflate (already a dependency of
// the local Azure, which unzips packages with it), so tests can derive variants by replacing files.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { zipSync, type Zippable } from 'fflate';

export const TEMPLATE = join(import.meta.dirname, '..', '..', 'templates', 'function');
const MTIME = new Date('2024-01-01T00:00:00Z');

let built = false;

/** The template's sources and lock file, hashed: a build of the same inputs is not repeated. */
function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else hash.update(relative(TEMPLATE, full)).update(readFileSync(full));
    }
  };
  for (const d of ['src', 'scripts']) walk(join(TEMPLATE, d));
  for (const f of ['package-lock.json', 'tsconfig.json', join('..', '..', 'api-spec.yml')]) hash.update(readFileSync(join(TEMPLATE, f)));
  return hash.digest('hex').slice(0, 16);
}

/**
 * npm ci (only when node_modules is missing) and npm run build of the template, once per process and
 * under a lock shared by the test files that run at the same time (npm ci and tsc in one folder at once
 * would trip over each other).
 */
export function buildTemplate(): void {
  if (built) return;
  const lock = join(TEMPLATE, '.test-build.lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed run is stale after 5 minutes.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    if (!existsSync(join(TEMPLATE, 'node_modules', '@azure', 'functions'))) {
      execFileSync(npm, ['--prefix', TEMPLATE, 'ci', '--no-audit', '--no-fund'], { stdio: 'pipe' });
    }
    const marker = join(TEMPLATE, 'dist', `.test-built-${sourceHash()}`);
    if (!existsSync(marker)) {
      execFileSync(npm, ['--prefix', TEMPLATE, 'run', 'build'], { stdio: 'pipe' });
      writeFileSync(marker, '');
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  built = true;
}

function addTree(files: Record<string, Uint8Array>, root: string, dir: string, skipNested: boolean): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      // Nested node_modules are lock entries of their own (included if they are production ones).
      if (skipNested && entry.name === 'node_modules') continue;
      addTree(files, root, full, skipNested);
    } else if (entry.isFile() && !entry.name.startsWith('.test-built-')) {
      files[relative(root, full).split(sep).join('/')] = readFileSync(full);
    }
  }
}

/** The template's deployable files, path → content. */
export function templateFiles(): Record<string, Uint8Array> {
  buildTemplate();
  const files: Record<string, Uint8Array> = {};
  addTree(files, TEMPLATE, join(TEMPLATE, 'dist'), false);
  for (const f of ['host.json', 'package.json']) files[f] = readFileSync(join(TEMPLATE, f));
  const lock = JSON.parse(readFileSync(join(TEMPLATE, 'package-lock.json'), 'utf8'));
  for (const [path, meta] of Object.entries<any>(lock.packages)) {
    if (!path || meta.dev || !existsSync(join(TEMPLATE, path)) || !statSync(join(TEMPLATE, path)).isDirectory()) continue;
    addTree(files, TEMPLATE, join(TEMPLATE, path), true);
  }
  return files;
}

/** A deterministic zip of these files. */
export function zip(files: Record<string, Uint8Array>): Buffer {
  const input: Zippable = {};
  for (const name of Object.keys(files).sort()) input[name] = [files[name], { mtime: MTIME, level: 1 }];
  return Buffer.from(zipSync(input));
}
