// Extracts the request-body schemas of the ARM operations the local Azure serves from Microsoft's REST
// specs (Swagger 2.0, vendored in /work/shared/azure-specs) into src/local/arm/spec/schemas.json.
//
//   node scripts/extract-arm-schemas.ts [specsDir]     (default: $AZURE_SPECS_DIR or ../shared/azure-specs)
//
// The output is a compact schema dialect that src/local/arm/spec/validate.ts understands:
// - named definitions stay `{ "$ref": "<file tag>.<Name>" }` into one `definitions` map (recursive models work);
// - `allOf` parents are merged into the child (properties, required);
// - readOnly properties are dropped (ARM ignores them in requests: neither required nor type-checked);
// - enums with `x-ms-enum.modelAsString: true` become plain strings (extensible); other enums stay closed;
// - `discriminator` becomes `{ property, mapping: { value: ref } }`; unknown values fall back to the base;
// - `x-ms-client-flatten` / `x-ms-client-name` are client-side only and dropped (the wire keeps `properties`);
// - only type/format (int32, int64, date-time, uuid: hints)/enum/required/properties/additionalProperties/
//   items/min/max(Length|Items|imum)/pattern/nullable are kept.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Spec files holding the operations, relative to the azure-specs dir. */
export const SPEC_FILES = [
  'resources/resource-manager/Microsoft.Resources/resources/stable/2025-04-01/resources.json',
  'storage/resource-manager/Microsoft.Storage/stable/2026-09-01/openapi.json',
  'operationalinsights/resource-manager/Microsoft.OperationalInsights/stable/2025-02-01/Workspaces.json',
  'applicationinsights/resource-manager/Microsoft.Insights/stable/2020-02-02/components_API.json',
  ...['apimdeployment', 'apimapis', 'apimnamedvalues', 'apimbackends', 'apimproducts', 'apimsubscriptions'].map(
    (f) => `apimanagement/resource-manager/Microsoft.ApiManagement/stable/2024-05-01/${f}.json`,
  ),
];

/** Operations whose request bodies the local Azure validates (PUT/PATCH/POST with a body). */
export const OPERATIONS = [
  'ResourceGroups_CreateOrUpdate',
  'ResourceGroups_Update',
  'StorageAccounts_Create',
  'StorageAccounts_Update',
  'StorageAccounts_CheckNameAvailability',
  'StorageAccounts_RegenerateKey',
  'StorageAccounts_ListAccountSAS',
  'StorageAccounts_ListServiceSAS',
  'BlobServices_SetServiceProperties',
  'BlobContainers_Create',
  'BlobContainers_Update',
  'Workspaces_CreateOrUpdate',
  'Workspaces_Update',
  'Components_CreateOrUpdate',
  'Components_UpdateTags',
  'ApiManagementService_CreateOrUpdate',
  'ApiManagementService_Update',
  'ApiManagementService_CheckNameAvailability',
  'Api_CreateOrUpdate',
  'Api_Update',
  'ApiOperation_CreateOrUpdate',
  'ApiPolicy_CreateOrUpdate',
  'ApiOperationPolicy_CreateOrUpdate',
  'NamedValue_CreateOrUpdate',
  'NamedValue_Update',
  'Backend_CreateOrUpdate',
  'Backend_Update',
  'Product_CreateOrUpdate',
  'Product_Update',
  'ProductPolicy_CreateOrUpdate',
  'ProductApiLink_CreateOrUpdate',
  'Subscription_CreateOrUpdate',
  'Subscription_Update',
];

/** Transient marker (names of read-only properties seen at a level), stripped before output. */
const RO = '__readOnly';
const KEPT_FORMATS = new Set(['int32', 'int64', 'date-time', 'uuid']);
const KEPT_NUMBERS = ['minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems'] as const;

type Json = any;
interface Loc {
  file: string; // relative to specsDir, posix separators
  pointer: string; // JSON pointer, e.g. /definitions/Sku
}

export interface ExtractedSchemas {
  $comment: string;
  generatedFrom: Array<{ path: string; sha256: string }>;
  operations: Record<string, { method: string; path: string; apiVersion: string; source: string; bodyRequired: boolean; schema: Json }>;
  definitions: Record<string, Json>;
}

/** Short, unique prefix for a spec file's definitions: `storage`, `apimdeployment`, `apimanagement-definitions`, `ct-v5-types`. */
function fileTag(rel: string): string {
  const parts = rel.split('/');
  const base = parts[parts.length - 1].replace(/\.json$/, '');
  if (parts[0] === 'common-types') return `ct-${parts[parts.length - 2]}-${base}`;
  if (parts.includes('common')) return `${parts[0]}-common-${parts[parts.length - 2]}-${base}`;
  if (base === 'openapi') return parts[0];
  if (base === 'definitions' || base === 'types') return `${parts[0]}-${base}`;
  return base;
}

const decodePointer = (p: string): string[] =>
  p
    .split('/')
    .slice(1)
    .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'));

export function extractSchemas(specsDir: string, opts: { files?: string[]; operations?: string[] } = {}): ExtractedSchemas {
  const specFiles = opts.files ?? SPEC_FILES;
  const wanted = opts.operations ?? OPERATIONS;
  const docs = new Map<string, Json>();
  const load = (rel: string): Json => {
    let d = docs.get(rel);
    if (!d) {
      d = JSON.parse(readFileSync(path.join(specsDir, rel), 'utf8'));
      docs.set(rel, d);
    }
    return d;
  };
  const at = (loc: Loc): Json => {
    let node = load(loc.file);
    for (const k of decodePointer(loc.pointer)) {
      node = node?.[k];
      if (node === undefined) throw new Error(`Unresolvable $ref ${loc.file}#${loc.pointer}`);
    }
    return node;
  };
  const resolveRef = (ref: string, from: string): Loc => {
    const [filePart, pointer = ''] = ref.split('#');
    const file = filePart ? path.posix.normalize(path.posix.join(path.posix.dirname(from), filePart)) : from;
    return { file, pointer };
  };
  const tags = new Map<string, string>();
  const tagOf = (file: string): string => {
    const t = fileTag(file);
    const owner = tags.get(t);
    if (owner && owner !== file) throw new Error(`File tag collision: ${t} for ${owner} and ${file}`);
    tags.set(t, file);
    return t;
  };

  const definitions: Record<string, Json> = {};
  const flattened = new Map<string, Json>(); // key -> converted, allOf-merged schema (also in progress)

  /** Every definition of a loaded file that lists `base` (directly or through a parent) in its allOf. */
  const subtypesOf = (base: Loc): Array<{ value: string; loc: Loc }> => {
    const out: Array<{ value: string; loc: Loc }> = [];
    const derives = (defLoc: Loc, seen: Set<string>): boolean => {
      const key = `${defLoc.file}#${defLoc.pointer}`;
      if (seen.has(key)) return false;
      seen.add(key);
      for (const part of at(defLoc).allOf ?? []) {
        if (!part.$ref) continue;
        const p = resolveRef(part.$ref, defLoc.file);
        if ((p.file === base.file && p.pointer === base.pointer) || derives(p, seen)) return true;
      }
      return false;
    };
    // Subtypes live beside their base (a Swagger convention every spec here follows); scanning only that
    // file keeps the output independent of the order files were loaded in.
    const file = base.file;
    for (const [name, def] of Object.entries<Json>(load(file).definitions ?? {})) {
      const loc = { file, pointer: `/definitions/${name.replace(/~/g, '~0').replace(/\//g, '~1')}` };
      if (def.allOf && derives(loc, new Set())) out.push({ value: def['x-ms-discriminator-value'] ?? name, loc });
    }
    return out;
  };

  /** Registers the named definition and returns its key; converts it on first use. */
  const defKey = (loc: Loc): string => {
    const name = decodePointer(loc.pointer).pop()!;
    const key = `${tagOf(loc.file)}.${name}`;
    if (!flattened.has(key)) {
      const placeholder: Json = {};
      flattened.set(key, placeholder);
      Object.assign(placeholder, flattenDefinition(loc));
      definitions[key] = placeholder;
    }
    return key;
  };

  /** A definition with its allOf parents merged in (the discriminator stays on the definition declaring it). */
  const flattenDefinition = (loc: Loc): Json => {
    const raw = at(loc);
    const own = convert(raw, loc.file, { skipAllOf: true });
    let merged: Json = {};
    for (const part of raw.allOf ?? []) {
      const parent = part.$ref ? flattenParent(resolveRef(part.$ref, loc.file)) : convert(part, loc.file);
      merged = mergeObjects(merged, parent);
    }
    merged = mergeObjects(merged, own);
    if (typeof raw.discriminator === 'string') {
      const property = raw.discriminator;
      const mapping: Record<string, string> = {};
      for (const s of subtypesOf(loc)) mapping[s.value] = defKey(s.loc);
      // Unknown subtypes must not be rejected: the discriminator property is an open string on the base.
      if (merged.properties?.[property]) merged.properties[property] = { type: 'string' };
      merged.discriminator = { property, mapping };
    }
    return merged;
  };

  const parentCache = new Map<string, Json>();
  const flattenParent = (loc: Loc): Json => {
    const k = `${loc.file}#${loc.pointer}`;
    let v = parentCache.get(k);
    if (!v) {
      v = flattenDefinition(loc);
      delete v.discriminator; // a subtype is validated as itself
      parentCache.set(k, v);
    }
    return structuredClone(v);
  };

  const isReadOnly = (prop: Json, from: string): boolean => {
    if (prop.readOnly === true) return true;
    const mut = prop['x-ms-mutability'];
    if (Array.isArray(mut) && !mut.includes('create') && !mut.includes('update')) return true;
    if (prop.$ref) {
      const target = at(resolveRef(prop.$ref, from));
      if (target.readOnly === true) return true;
    }
    return false;
  };

  const convert = (s: Json, from: string, opts: { skipAllOf?: boolean } = {}): Json => {
    if (s === true || s === false) return s;
    if (s.$ref) {
      const loc = resolveRef(s.$ref, from);
      if (loc.pointer.startsWith('/definitions/') && decodePointer(loc.pointer).length === 2) {
        const out: Json = { $ref: defKey(loc) };
        if (s['x-nullable'] === true) out.nullable = true;
        return out;
      }
      return convert(at(loc), loc.file);
    }
    let out: Json = {};
    if (s.allOf && !opts.skipAllOf) {
      for (const part of s.allOf) out = mergeObjects(out, part.$ref ? flattenParent(resolveRef(part.$ref, from)) : convert(part, from));
    }
    if (s.type) out.type = s.type;
    if (s.format && KEPT_FORMATS.has(s.format)) out.format = s.format;
    if (Array.isArray(s.enum) && s['x-ms-enum']?.modelAsString !== true) out.enum = [...s.enum];
    for (const k of KEPT_NUMBERS) if (typeof s[k] === 'number') out[k] = s[k];
    if (typeof s.pattern === 'string') out.pattern = s.pattern;
    if (s['x-nullable'] === true) out.nullable = true;
    if (s.items) out.items = convert(s.items, from);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = convert(s.additionalProperties, from);
    if (s.properties) {
      const props: Json = { ...(out.properties ?? {}) };
      const ro = new Set<string>(out[RO] ?? []);
      for (const [name, p] of Object.entries<Json>(s.properties)) {
        if (isReadOnly(p, from)) {
          delete props[name];
          ro.add(name);
          continue;
        }
        ro.delete(name);
        props[name] = convert(p, from);
      }
      out.properties = props;
      if (ro.size) out[RO] = [...ro];
    }
    // A required read-only property (e.g. an id) is not required in a request: ARM fills it in.
    const required = [...(out.required ?? []), ...(Array.isArray(s.required) ? s.required : [])].filter(
      (r: string, i: number, all: string[]) => all.indexOf(r) === i && !(out[RO] ?? []).includes(r),
    );
    if (required.length) out.required = required;
    else delete out.required;
    return out;
  };

  const operations: ExtractedSchemas['operations'] = {};
  for (const file of specFiles) {
    const doc = load(file);
    for (const [p, item] of Object.entries<Json>(doc.paths ?? {})) {
      for (const [method, op] of Object.entries<Json>(item)) {
        if (method === 'parameters' || !wanted.includes(op.operationId)) continue;
        const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((x: Json) => {
          if (!x.$ref) return { param: x, file };
          const loc = resolveRef(x.$ref, file);
          return { param: at(loc), file: loc.file };
        });
        const body = params.find((x) => x.param.in === 'body');
        if (!body) throw new Error(`${op.operationId} has no body parameter`);
        operations[op.operationId] = {
          method: method.toUpperCase(),
          path: p,
          apiVersion: doc.info.version,
          source: file,
          bodyRequired: body.param.required === true,
          schema: convert(body.param.schema, body.file),
        };
      }
    }
  }
  const missing = wanted.filter((o) => !operations[o]);
  if (missing.length) throw new Error(`Operations not found in the specs: ${missing.join(', ')}`);

  const strip = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(strip);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).filter(([k]) => k !== RO).map(([k, x]) => [k, strip(x)]));
  };
  const sortKeys = (o: Record<string, Json>) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, strip(o[k])]));
  return {
    $comment:
      'Generated by scripts/extract-arm-schemas.ts from Microsoft\'s REST specs (Azure/azure-rest-api-specs, vendored in shared/azure-specs): ' +
      'the request-body schemas of the operations below, readOnly properties dropped, allOf merged, extensible enums as strings. Do not edit.',
    generatedFrom: [...docs.keys()].sort().map((rel) => ({
      path: rel,
      sha256: createHash('sha256').update(readFileSync(path.join(specsDir, rel))).digest('hex'),
    })),
    operations: sortKeys(operations),
    definitions: sortKeys(definitions),
  };
}

/** Merges two converted object schemas (allOf): properties and required add up; the later wins per keyword. */
function mergeObjects(a: Json, b: Json): Json {
  const out: Json = { ...a, ...b };
  if (a.properties || b.properties) out.properties = { ...(a.properties ?? {}), ...(b.properties ?? {}) };
  // Names declared read-only by either side stay out of `required` unless the other side redeclares them writable.
  const ro = [...(a[RO] ?? []).filter((n: string) => !b.properties?.[n]), ...(b[RO] ?? [])];
  if (ro.length) out[RO] = [...new Set(ro)];
  const req = [...(a.required ?? []), ...(b.required ?? [])].filter((r) => !ro.includes(r));
  if (req.length) out.required = [...new Set(req)];
  else delete out.required;
  if (!out.type && out.properties) out.type = 'object';
  return out;
}

/** The azure-specs dir: $AZURE_SPECS_DIR, else ../shared/azure-specs beside the repo root. */
export function locateSpecs(repoRoot: string): string | undefined {
  const candidates = [process.env.AZURE_SPECS_DIR, path.resolve(repoRoot, '..', 'shared', 'azure-specs')].filter(Boolean) as string[];
  return candidates.find((c) => existsSync(path.join(c, SPEC_FILES[0])));
}

export const serialize = (s: ExtractedSchemas): string => JSON.stringify(s) + '\n';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? locateSpecs(repoRoot);
  if (!dir) throw new Error('azure-specs not found: pass the dir or set AZURE_SPECS_DIR');
  const out = path.join(repoRoot, 'src/local/arm/spec/schemas.json');
  const result = extractSchemas(dir);
  writeFileSync(out, serialize(result));
  process.stdout.write(`${out}: ${Object.keys(result.operations).length} operations, ${Object.keys(result.definitions).length} definitions\n`);
}
