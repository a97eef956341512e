// `apim-fn init [dir]`: scaffolds a project from the template the CLI ships (layout in project.ts).
// All or nothing: when any target file exists, it lists the conflicts and writes nothing.
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { FUNCTION_SUBDIR, REFERENCE_SPEC, TEMPLATE_DIR } from './project.ts';

/** npm pack leaves .gitignore files out of a published package, so the project's is written here. */
export const GITIGNORE = [
  '# Installed and built by npm: rebuilt by apim-fn deploy.',
  'node_modules/',
  'dist/',
  '# Holds connection strings and keys: copy function/local.settings.sample.json instead of committing it.',
  'local.settings.json',
  '# Written by apim-fn up: names this checkout\'s own stack.',
  '.apim-fn.json',
  '',
].join('\n');

/** Template entries never copied: build output, installs, local secrets, and the template's own .gitignore. */
const SKIP = new Set(['node_modules', 'dist', '.gitignore', 'local.settings.json']);

export interface PlannedFile {
  /** Path relative to the project root, '/'-separated. */
  path: string;
  source?: string;
  content?: string;
}

export function planInit(templateDir = TEMPLATE_DIR, specFile = REFERENCE_SPEC): PlannedFile[] {
  if (!existsSync(join(templateDir, 'host.json'))) throw new Error(`the function template is missing at ${templateDir} (a broken install of apim-fn?)`);
  const files: PlannedFile[] = [];
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs).sort()) {
      if (!rel && SKIP.has(name)) continue;
      const childAbs = join(abs, name);
      const childRel = rel ? `${rel}/${name}` : name;
      if (statSync(childAbs).isDirectory()) walk(childAbs, childRel);
      else files.push({ path: `${FUNCTION_SUBDIR}/${childRel}`, source: childAbs });
    }
  };
  walk(templateDir, '');
  files.push({ path: 'api-spec.yml', source: specFile }, { path: '.gitignore', content: GITIGNORE });
  return files;
}

export interface InitResult {
  dir: string;
  files: string[];
}

export function scaffold(targetDir: string, files = planInit()): InitResult {
  const root = resolve(targetDir);
  if (existsSync(root) && !statSync(root).isDirectory()) throw new UserError(`${targetDir} exists and is not a directory`);
  const conflicts = files.filter((f) => existsSync(join(root, f.path))).map((f) => f.path);
  if (conflicts.length) {
    const shown = conflicts.slice(0, 10).join(', ') + (conflicts.length > 10 ? `, and ${conflicts.length - 10} more` : '');
    throw new UserError(`not overwriting existing files in ${root}: ${shown}; nothing was written (pick an empty directory)`);
  }
  for (const f of files) {
    const dest = join(root, f.path);
    mkdirSync(dirname(dest), { recursive: true });
    if (f.source) copyFileSync(f.source, dest);
    else writeFileSync(dest, f.content ?? '');
  }
  return { dir: root, files: files.map((f) => f.path) };
}

export const describeInit = (r: InitResult, cwd = process.cwd()): string => {
  const rel = relative(cwd, r.dir) || '.';
  return [
    `Created ${r.files.length} files in ${r.dir}:`,
    `  api-spec.yml        the API (imported into API Management)`,
    `  ${FUNCTION_SUBDIR}/            the Azure Functions app (TypeScript, Node.js v4 model) that implements it`,
    `  .gitignore`,
    'Next:',
    ...(rel === '.' ? [] : [`  cd ${rel}`]),
    `  apim-fn up --local --name <collection>   the stack on the local Azure (or without --local, on Azure)`,
    `  apim-fn deploy                           build and deploy the function code (again after each change)`,
  ].join('\n');
};
