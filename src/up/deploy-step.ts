// The last step of `up`: deploy the function code. The project's own function (./function or the current
// directory, as `apim-fn init` lays it out), else the bundled reference function, built in a cache dir so
// an installed package is never written to.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { readdirSync, statSync } from 'node:fs';
import type { StackContext } from './stack-context.ts';
import type { EventSink } from '../engine/types.ts';

const TEMPLATE = fileURLToPath(new URL('../../templates/function/', import.meta.url));
const SKIP = new Set(['node_modules', 'dist']);

function templateHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (SKIP.has(name)) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(p.slice(dir.length)).update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex').slice(0, 16);
}

/** A private, writable copy of the bundled template (refreshed when the template changes). */
export function bundledFunctionDir(): string {
  const hash = templateHash(TEMPLATE);
  const dir = join(process.env.APIM_FN_CACHE ?? join(homedir(), '.apim-fn', 'cache'), `function-${hash}`);
  if (!existsSync(join(dir, '.complete'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(TEMPLATE, dir, { recursive: true, filter: (src) => !SKIP.has(src.split(/[\\/]/).pop()!) });
    writeFileSync(join(dir, '.complete'), hash);
  }
  return dir;
}

export async function deployStep(ctx: StackContext, events: EventSink, info: (line: string) => void) {
  const { deployCode, findProjectDir } = await import('../deploy/index.ts');
  let dir = findProjectDir(process.cwd());
  if (!dir) {
    dir = bundledFunctionDir();
    info("No function project here: deploying the bundled reference function (run 'apim-fn init' for your own).");
  }
  // The function serves the spec being imported at /openapi.json: build it with that spec.
  const buildEnv = { API_SPEC_PATH: resolve(ctx.specPath) };
  return deployCode({ clients: ctx.clients, resourceGroup: ctx.names.resourceGroup, functionApp: ctx.names.functionApp, dir, events, buildEnv });
}
