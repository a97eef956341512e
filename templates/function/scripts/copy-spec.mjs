// Build step: bakes the API's OpenAPI spec into dist/api-spec.yml, so the deployed package carries it
// and /openapi.json never depends on files outside the function app.
//
// Where the spec comes from, first match wins:
//   1. $API_SPEC_PATH (explicit, relative to this folder or absolute);
//   2. ./api-spec.yml next to package.json (a scaffolded project may keep its spec here);
//   3. ../api-spec.yml, then ../../api-spec.yml (the project root above the function folder; in the
//      apim-fn repository this is the reference api-spec.yml).
// The walk stops two levels up so a stray file higher in the tree is never picked up.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const candidates = process.env.API_SPEC_PATH
  ? [resolve(root, process.env.API_SPEC_PATH)]
  : [join(root, 'api-spec.yml'), join(root, '..', 'api-spec.yml'), join(root, '..', '..', 'api-spec.yml')];

const source = candidates.find((file) => existsSync(file));
if (!source) {
  console.error(`copy-spec: no api-spec.yml found; looked at:\n  ${candidates.join('\n  ')}`);
  process.exit(1);
}

// Fail the build, not the first request, when the spec is not an OpenAPI 3 document with paths.
let spec;
try {
  spec = parse(readFileSync(source, 'utf8'));
} catch (err) {
  console.error(`copy-spec: ${source} is not valid YAML: ${err.message}`);
  process.exit(1);
}
if (typeof spec?.openapi !== 'string' || !spec.openapi.startsWith('3.') || typeof spec.paths !== 'object' || spec.paths === null) {
  console.error(`copy-spec: ${source} is not an OpenAPI 3.x document with paths`);
  process.exit(1);
}

const target = join(root, 'dist', 'api-spec.yml');
mkdirSync(dirname(target), { recursive: true });
copyFileSync(source, target);
console.log(`copy-spec: ${source} -> dist/api-spec.yml`);
