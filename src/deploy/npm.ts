// Runs npm in the function project: install when node_modules is missing or older than the manifest,
// clean + build, and prune a staging copy to production dependencies. npm itself decides what counts as
// a production dependency, so the package holds exactly what `npm ci --omit=dev` would install.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';

export interface NpmRun {
  cwd: string;
  args: string[];
  /** Streams npm's output line by line (--verbose); otherwise it is kept for the error message. */
  log?: (line: string) => void;
  /** Extra environment for this run (e.g. API_SPEC_PATH for the template's build). */
  env?: Record<string, string>;
}

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

export function npm(o: NpmRun): Promise<string> {
  return new Promise((resolve, reject) => {
    // The test runner's marker would make a nested `node --test` report in its binary protocol.
    const { NODE_TEST_CONTEXT: _drop, ...inherited } = process.env;
    const env = { ...inherited, ...o.env };
    const child = spawn(NPM, o.args, { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
    let output = '';
    let partial = '';
    const onData = (d: Buffer) => {
      output += d;
      if (!o.log) return;
      partial += d;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) o.log(l);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => reject(new UserError(`cannot run npm (${e.message}): is Node.js with npm on the PATH?`)));
    child.on('close', (code) => {
      if (partial && o.log) o.log(partial);
      if (code === 0) return resolve(output);
      reject(new UserError(`'npm ${o.args.filter((a) => !QUIET.includes(a)).join(' ')}' failed in ${o.cwd} (exit ${code})${summary(output)}${o.log ? '' : ' (--verbose shows its output)'}`));
    });
  });
}

/** One line of npm's output for the error: the first that names an error, else the last one. */
function summary(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l && !/^npm (ERR!|error) (code|path|command|A complete log|\s*$)/i.test(l) && !/^>/.test(l));
  const line = lines.find((l) => /\berror\b/i.test(l)) ?? lines.at(-1);
  return line ? `: ${line.slice(0, 300)}` : '';
}

/** node_modules matches the manifest: npm's hidden lockfile exists and is newer than package(-lock).json. */
export function installUpToDate(dir: string): boolean {
  const marker = join(dir, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return false;
  const installed = statSync(marker).mtimeMs;
  return ['package.json', 'package-lock.json'].every((f) => !existsSync(join(dir, f)) || statSync(join(dir, f)).mtimeMs <= installed);
}

function hasDependencies(dir: string): boolean {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies }).length > 0;
}

/** `npm ci` (or `npm install` without a lockfile) when node_modules is missing or outdated. */
export async function ensureInstalled(dir: string, log?: (line: string) => void): Promise<boolean> {
  if (installUpToDate(dir) || !hasDependencies(dir)) return false;
  const lock = existsSync(join(dir, 'package-lock.json'));
  await npm({ cwd: dir, args: [lock ? 'ci' : 'install', ...QUIET], log });
  return true;
}

/** `npm run <script>` when the project defines it; false when it does not. */
export async function runScript(dir: string, scripts: Record<string, string>, name: string, log?: (line: string) => void, env?: Record<string, string>): Promise<boolean> {
  if (!scripts[name]) return false;
  await npm({ cwd: dir, args: ['run', name, '--silent'], log, env });
  return true;
}

/** Drops dev dependencies from a staging copy (package.json, lockfile and node_modules already copied). */
export async function pruneToProduction(stagingDir: string, log?: (line: string) => void): Promise<void> {
  await npm({ cwd: stagingDir, args: ['prune', '--omit=dev', '--ignore-scripts', ...QUIET], log });
}
