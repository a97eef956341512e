// Transcribes the request-body models Microsoft generated into the pinned SDKs for the providers whose REST
// specs are not vendored (Microsoft.Web 2025-05-01, Microsoft.Authorization role assignments 2022-04-01) into
// src/local/arm/spec/web-authorization.schemas.json, in the same schema dialect as schemas.json.
//
//   node scripts/transcribe-sdk-schemas.ts
//
// Sources, and what each one gives:
// - @azure/arm-appservice (TypeSpec "modular" SDK): dist/esm/models/models.js serializers give the wire shape
//   (which keys are sent, which model properties are nested under `properties`); dist/esm/models/models.d.ts gives
//   types, required members (no `?`), and enums: a string-literal union is closed, `type X = string` is extensible.
//   TypeScript `number` does not say integer or not, so it stays `number`.
// - @azure/arm-authorization (AutoRest track 2): dist-esm/src/models/mappers.js gives serialized names
//   (`properties.x` = nested), types, required and readOnly.
// Read-only members are left out (the serializers never send them, and ARM ignores them).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Json = any;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const APPSERVICE_DTS = 'node_modules/@azure/arm-appservice/dist/esm/models/models.d.ts';
const APPSERVICE_JS = 'node_modules/@azure/arm-appservice/dist/esm/models/models.js';
const AUTHORIZATION_MAPPERS = 'node_modules/@azure/arm-authorization/dist-esm/src/models/mappers.js';

/** Operation id (Microsoft's spec) → root model, and the SDK call that serializes it. */
const WEB_OPERATIONS: Record<string, { model: string; sdk: string }> = {
  WebApps_CreateOrUpdate: { model: 'Site', sdk: 'webApps.createOrUpdate → siteSerializer' },
  AppServicePlans_CreateOrUpdate: { model: 'AppServicePlan', sdk: 'appServicePlans.createOrUpdate → appServicePlanSerializer' },
  WebApps_UpdateApplicationSettings: { model: 'StringDictionary', sdk: 'webApps.updateApplicationSettings → stringDictionarySerializer' },
  WebApps_CreateOrUpdateHostSecret: { model: 'KeyInfo', sdk: 'webApps.createOrUpdateHostSecret → keyInfoSerializer' },
};
const AUTH_OPERATIONS: Record<string, { model: string; sdk: string }> = {
  RoleAssignments_Create: { model: 'RoleAssignmentCreateParameters', sdk: 'roleAssignments.create → Mappers.RoleAssignmentCreateParameters' },
};

interface Member {
  name: string;
  type: string;
  optional: boolean;
  readonly: boolean;
}

/** Interfaces and type aliases of a generated models.d.ts (one member per line, as the generator writes them). */
function parseDts(text: string) {
  const interfaces = new Map<string, { extends: string[]; members: Member[] }>();
  const aliases = new Map<string, string>();
  let current: Member[] | undefined;
  for (const line of text.split('\n')) {
    const head = /^export interface (\w+)(?: extends ([\w, ]+))? \{$/.exec(line);
    if (head) {
      current = [];
      interfaces.set(head[1], { extends: head[2]?.split(',').map((s) => s.trim()) ?? [], members: current });
      continue;
    }
    if (line === '}') current = undefined;
    const alias = /^export type (\w+) = (.+);$/.exec(line);
    if (alias) aliases.set(alias[1], alias[2]);
    if (!current) continue;
    const m = /^ {4}(readonly )?("[^"]+"|[A-Za-z_$][\w$]*)(\?)?: (.+);$/.exec(line);
    if (m) current.push({ name: m[2].replace(/"/g, ''), type: m[4], optional: !!m[3], readonly: !!m[1] });
  }
  return { interfaces, aliases };
}

/** The object literal each `xSerializer(item)` returns: wire key → expression. */
function parseSerializers(js: string): Map<string, Array<{ key: string; expr: string }>> {
  const out = new Map<string, Array<{ key: string; expr: string }>>();
  const re = /^export function (\w+)Serializer\(_?item\) \{\n {4}return \{/gm;
  for (let m; (m = re.exec(js)); ) {
    let i = re.lastIndex;
    let depth = 1;
    const start = i;
    for (; depth > 0; i++) {
      const c = js[i];
      if (c === '{' || c === '(' || c === '[') depth++;
      else if (c === '}' || c === ')' || c === ']') depth--;
    }
    out.set(m[1], splitTopLevel(js.slice(start, i - 1)));
  }
  return out;
}

function splitTopLevel(body: string): Array<{ key: string; expr: string }> {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of body) {
    if ('{(['.includes(c)) depth++;
    if ('})]'.includes(c)) depth--;
    if (c === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const m = /^("[^"]+"|[\w$]+):\s*([\s\S]*)$/.exec(p);
      if (!m) throw new Error(`Unexpected serializer entry: ${p}`);
      return { key: m[1].replace(/"/g, ''), expr: m[2] };
    });
}

const lcFirst = (s: string) => s[0].toLowerCase() + s.slice(1);
const ucFirst = (s: string) => s[0].toUpperCase() + s.slice(1);

function transcribeAppService(definitions: Record<string, Json>): Record<string, Json> {
  const { interfaces, aliases } = parseDts(readFileSync(path.join(repoRoot, APPSERVICE_DTS), 'utf8'));
  const serializers = parseSerializers(readFileSync(path.join(repoRoot, APPSERVICE_JS), 'utf8'));

  const membersOf = (name: string): Member[] => {
    const i = interfaces.get(name);
    if (!i) throw new Error(`No interface ${name} in ${APPSERVICE_DTS}`);
    return [...i.extends.flatMap(membersOf), ...i.members];
  };

  const typeSchema = (t: string): Json => {
    t = t.trim();
    if (t.endsWith('[]')) return { type: 'array', items: typeSchema(t.slice(0, -2)) };
    const rec = /^Record<string, (.+)>$/.exec(t);
    if (rec) return { type: 'object', additionalProperties: typeSchema(rec[1]) };
    if (t === 'string') return { type: 'string' };
    if (t === 'number') return { type: 'number' };
    if (t === 'boolean') return { type: 'boolean' };
    if (t === 'Date') return { type: 'string', format: 'date-time' };
    if (t === 'any' || t === 'unknown') return {};
    const literals = t.split(' | ').map((x) => x.trim());
    if (literals.every((x) => /^"[^"]*"$/.test(x))) return { type: 'string', enum: literals.map((x) => JSON.parse(x)) };
    if (literals.every((x) => /^-?\d+(\.\d+)?$/.test(x))) return { type: 'number', enum: literals.map(Number) };
    const alias = aliases.get(t);
    if (alias !== undefined) return typeSchema(alias);
    if (interfaces.has(t)) return { $ref: model(t) };
    throw new Error(`Unhandled TypeScript type '${t}'`);
  };

  const model = (name: string): string => {
    const key = `web.${name}`;
    if (definitions[key]) return key;
    const def: Json = { $comment: `${APPSERVICE_DTS} interface ${name}; wire keys from ${lcFirst(name)}Serializer` };
    definitions[key] = def;
    const members = new Map(membersOf(name).map((m) => [m.name, m]));
    const entries = serializers.get(lcFirst(name));
    if (!entries) throw new Error(`No ${lcFirst(name)}Serializer in ${APPSERVICE_JS}`);
    const properties: Record<string, Json> = {};
    const required: string[] = [];
    for (const { key, expr } of entries) {
      const nested = /^areAllPropsUndefined\(item, \[[\s\S]*?\]\)\s*\?\s*undefined\s*:\s*_(\w+)Serializer\(item\)$/.exec(expr);
      if (nested) {
        properties[key] = { $ref: model(ucFirst(nested[1])) };
        continue;
      }
      const prop = /item\["([^"]+)"\]/.exec(expr)?.[1];
      if (!prop) throw new Error(`${name}.${key}: cannot read serializer expression ${expr}`);
      const member = members.get(prop);
      if (!member) throw new Error(`${name}.${key}: no member ${prop}`);
      if (member.readonly) continue;
      properties[key] = typeSchema(member.type);
      if (!member.optional) required.push(key);
    }
    def.type = 'object';
    def.properties = properties;
    if (required.length) def.required = required;
    return key;
  };

  const operations: Record<string, Json> = {};
  for (const [id, op] of Object.entries(WEB_OPERATIONS)) {
    operations[id] = { apiVersion: '2025-05-01', source: `${APPSERVICE_JS} (${op.sdk})`, schema: { $ref: model(op.model) } };
  }
  return operations;
}

async function transcribeAuthorization(definitions: Record<string, Json>): Promise<Record<string, Json>> {
  const mappers: Record<string, Json> = await import(pathToFileURL(path.join(repoRoot, AUTHORIZATION_MAPPERS)).href);

  const typeSchema = (t: Json): Json => {
    switch (t.name) {
      case 'String':
        return { type: 'string' };
      case 'Uuid':
        return { type: 'string', format: 'uuid' };
      case 'DateTime':
        return { type: 'string', format: 'date-time' };
      case 'Number':
        return { type: 'number' };
      case 'Boolean':
        return { type: 'boolean' };
      case 'Enum':
        return { type: 'string', enum: [...t.allowedValues] };
      case 'Sequence':
        return { type: 'array', items: typeSchema(t.element.type) };
      case 'Dictionary':
        return { type: 'object', additionalProperties: typeSchema(t.value.type) };
      case 'Composite':
        return { $ref: model(t.className) };
      default:
        return {};
    }
  };

  const model = (className: string): string => {
    const key = `authorization.${className}`;
    if (definitions[key]) return key;
    const mapper = mappers[className];
    if (!mapper) throw new Error(`No mapper ${className} in ${AUTHORIZATION_MAPPERS}`);
    const def: Json = { $comment: `${AUTHORIZATION_MAPPERS} ${className}` };
    definitions[key] = def;
    const root: Json = { type: 'object', properties: {} };
    for (const p of Object.values<Json>(mapper.type.modelProperties)) {
      if (p.readOnly) continue;
      // serializedName "properties.roleDefinitionId" nests the member under "properties" (an escaped "\\." does not).
      const segments = String(p.serializedName)
        .split(/(?<!\\)\./)
        .map((s) => s.replace(/\\\./g, '.'));
      let node = root;
      for (const seg of segments.slice(0, -1)) {
        node.properties[seg] ??= { type: 'object', properties: {} };
        // A required member makes its wrapper required too: it cannot be sent without it.
        if (p.required) {
          node.required ??= [];
          if (!node.required.includes(seg)) node.required.push(seg);
        }
        node = node.properties[seg];
      }
      const leaf = segments[segments.length - 1];
      node.properties[leaf] = typeSchema(p.type);
      if (p.required) (node.required ??= []).push(leaf);
    }
    Object.assign(def, root);
    return key;
  };

  const operations: Record<string, Json> = {};
  for (const [id, op] of Object.entries(AUTH_OPERATIONS)) {
    operations[id] = { apiVersion: '2022-04-01', source: `${AUTHORIZATION_MAPPERS} (${op.sdk})`, schema: { $ref: model(op.model) } };
  }
  return operations;
}

export async function transcribeSdkSchemas(): Promise<Json> {
  const definitions: Record<string, Json> = {};
  const operations = { ...transcribeAppService(definitions), ...(await transcribeAuthorization(definitions)) };
  const sortKeys = (o: Record<string, Json>) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  const pkgVersion = (p: string) => JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', p, 'package.json'), 'utf8')).version;
  return {
    $comment:
      `Generated by scripts/transcribe-sdk-schemas.ts. Microsoft.Web 2025-05-01 and Microsoft.Authorization 2022-04-01 specs are not vendored, ` +
      `so these request-body schemas are transcribed from the models Microsoft generated into the pinned SDKs: ` +
      `web.* from @azure/arm-appservice ${pkgVersion('@azure/arm-appservice')} (${APPSERVICE_DTS} for types/required/closed enums, ${APPSERVICE_JS} serializers for the wire shape); ` +
      `authorization.* from @azure/arm-authorization ${pkgVersion('@azure/arm-authorization')} (${AUTHORIZATION_MAPPERS}). ` +
      `Read-only members are left out; TypeScript number stays number. Do not edit.`,
    operations: sortKeys(operations),
    definitions: sortKeys(definitions),
  };
}

export const serialize = (s: Json): string => JSON.stringify(s) + '\n';
export const OUTPUT = 'src/local/arm/spec/web-authorization.schemas.json';

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await transcribeSdkSchemas();
  writeFileSync(path.join(repoRoot, OUTPUT), serialize(result));
  process.stdout.write(`${OUTPUT}: ${Object.keys(result.operations).length} operations, ${Object.keys(result.definitions).length} definitions\n`);
}
