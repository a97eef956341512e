// Where the function project is. `apim-fn init` lays a project out as
//   <project>/api-spec.yml       the API (what `up` imports into API Management)
//   <project>/function/          the Azure Functions app (what `deploy` packages)
//   <project>/.gitignore
// so `deploy` looks for function/ first, then for a function app in the working directory itself.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.ts';

/** The template the CLI ships (package.json `files` has templates/ and api-spec.yml); same path from src/ and dist/. */
export const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/function/', import.meta.url));
export const REFERENCE_SPEC = fileURLToPath(new URL('../../api-spec.yml', import.meta.url));

export const FUNCTION_SUBDIR = 'function';

const isFunctionProject = (dir: string) => existsSync(join(dir, 'host.json')) && existsSync(join(dir, 'package.json'));

/** The function project for `cwd`, or undefined when there is none (function/ of an init layout, or cwd itself). */
export function findProjectDir(cwd = process.cwd()): string | undefined {
  for (const dir of [join(cwd, FUNCTION_SUBDIR), cwd]) if (isFunctionProject(dir)) return resolve(dir);
  return undefined;
}

/** --dir when given (must be a function project), else findProjectDir; a clear error when there is none. */
export function resolveProjectDir(cwd = process.cwd(), dir?: string): string {
  if (dir !== undefined) {
    const abs = resolve(cwd, dir);
    if (!existsSync(abs)) throw new UserError(`--dir ${dir}: no such directory`);
    if (!isFunctionProject(abs)) throw new UserError(`--dir ${dir} is not a function project (it needs host.json and package.json)`);
    return abs;
  }
  const found = findProjectDir(cwd);
  if (!found) throw new UserError(`no function project in ${cwd} (looked for ${FUNCTION_SUBDIR}/host.json and host.json): create one with 'apim-fn init', or pass --dir <dir>`);
  return found;
}
