// Validates ARM request bodies against the schemas Microsoft publishes: schemas.json is extracted from the REST
// specs (scripts/extract-arm-schemas.ts); web-authorization.schemas.json is transcribed from the models generated
// into the pinned SDKs for the two providers whose specs are not vendored (scripts/transcribe-sdk-schemas.ts).
//
// ARM semantics, not strict JSON Schema:
// - unknown properties are accepted (ARM ignores them), read-only ones were dropped at extraction;
// - null counts as absent for optional properties; a required property that is null or missing is reported;
// - closed enums compare strings case-insensitively (ARM's .NET deserializer parses enums ignoring case);
// - formats (int32, int64, date-time, uuid) are hints only and never reject a value;
// - a discriminator value with a known subtype validates against the subtype, any other value against the base.
import specSchemas from './schemas.json' with { type: 'json' };
import sdkSchemas from './web-authorization.schemas.json' with { type: 'json' };

export interface Schema {
  $ref?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  nullable?: boolean;
  discriminator?: { property: string; mapping: Record<string, string> };
}

export interface SchemaDocument {
  operations: Record<string, { schema: Schema }>;
  definitions: Record<string, Schema>;
}

export interface BodyProblem {
  path: string;
  message: string;
}

export type BodyValidator = (operationId: string, body: unknown) => BodyProblem[];

/** A validator over the given schema documents (operation ids match case-insensitively). */
export function createBodyValidator(documents: SchemaDocument[]): BodyValidator {
  const operations = new Map<string, Schema>();
  const definitions = new Map<string, Schema>();
  for (const doc of documents) {
    for (const [id, op] of Object.entries(doc.operations)) operations.set(id.toLowerCase(), op.schema);
    for (const [key, def] of Object.entries(doc.definitions)) definitions.set(key, def);
  }
  return (operationId, body) => {
    const schema = operations.get(operationId.toLowerCase());
    if (!schema) return [];
    const problems: BodyProblem[] = [];
    check({ definitions, out: problems }, schema, body ?? {}, '');
    return problems;
  };
}

const documents = [specSchemas, sdkSchemas] as unknown as SchemaDocument[];
const validateDefault = createBodyValidator(documents);

/** Problems with `body` as the request body of `operationId` (an id from Microsoft's spec); [] when valid or unknown. */
export function validateRequestBody(operationId: string, body: unknown): BodyProblem[] {
  return validateDefault(operationId, body);
}

/** The operation ids that have a schema (for tests and diagnostics). */
export function knownOperations(): string[] {
  return documents.flatMap((d) => Object.keys(d.operations)).sort();
}

interface Ctx {
  definitions: Map<string, Schema>;
  out: BodyProblem[];
}
const patterns = new Map<string, RegExp | null>();

const MAX_PROBLEMS = 50;

function resolve(ctx: Ctx, schema: Schema): Schema {
  let s = schema;
  for (let i = 0; s.$ref && i < 32; i++) {
    const target = ctx.definitions.get(s.$ref);
    if (!target) throw new Error(`Schema definition '${s.$ref}' is missing`);
    s = target;
  }
  return s;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function typeMatches(type: NonNullable<Schema['type']>, v: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    default:
      return typeof v === type;
  }
}

/** `properties.sku.name`, `tags['a.b']`, `properties.siteConfig.appSettings[0].name` (Newtonsoft's path style). */
function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z0-9_$@-]+$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}['${key.replace(/'/g, "\\'")}']`;
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function check(ctx: Ctx, schemaIn: Schema, value: unknown, path: string): void {
  const out = ctx.out;
  if (out.length >= MAX_PROBLEMS) return;
  let schema = resolve(ctx, schemaIn);
  if (schema.discriminator && typeMatches('object', value)) {
    const tag = (value as Record<string, unknown>)[schema.discriminator.property];
    if (typeof tag === 'string') {
      const hit = Object.keys(schema.discriminator.mapping).find((k) => k.toLowerCase() === tag.toLowerCase());
      if (hit) schema = resolve(ctx, { $ref: schema.discriminator.mapping[hit] });
    }
  }
  // No declared type (some specs omit `type: object` beside `properties`): only the value's own checks apply.
  if (schema.type && !typeMatches(schema.type, value)) {
    out.push({ path, message: `Invalid value for '${path}': expected ${schema.type}, got ${jsonType(value)}.` });
    return;
  }
  if (schema.enum && !enumHas(schema.enum, value)) {
    out.push({ path, message: `Value '${show(value)}' is not one of the allowed values '${schema.enum.map(show).join(', ')}'.` });
    return;
  }
  if (typeof value === 'string') checkString(schema, value, path, out);
  else if (typeof value === 'number') checkNumber(schema, value, path, out);
  else if (Array.isArray(value)) checkArray(ctx, schema, value, path);
  else if (value && typeof value === 'object') checkObject(ctx, schema, value as Record<string, unknown>, path);
}

function enumHas(allowed: unknown[], v: unknown): boolean {
  if (typeof v === 'string') return allowed.some((a) => typeof a === 'string' && a.toLowerCase() === v.toLowerCase());
  return allowed.some((a) => a === v);
}

function checkString(s: Schema, v: string, path: string, out: BodyProblem[]): void {
  if (s.minLength !== undefined && v.length < s.minLength) {
    out.push({ path, message: `The length of '${path}' must be at least ${s.minLength} characters; it is ${v.length}.` });
  }
  if (s.maxLength !== undefined && v.length > s.maxLength) {
    out.push({ path, message: `The length of '${path}' must be at most ${s.maxLength} characters; it is ${v.length}.` });
  }
  if (s.pattern) {
    let re = patterns.get(s.pattern);
    if (re === undefined) {
      try {
        re = new RegExp(s.pattern);
      } catch {
        re = null; // a .NET-only construct: the spec's intent cannot be checked here, so do not reject
      }
      patterns.set(s.pattern, re);
    }
    if (re && !re.test(v)) out.push({ path, message: `Value '${v}' for '${path}' does not match the pattern '${s.pattern}'.` });
  }
}

function checkNumber(s: Schema, v: number, path: string, out: BodyProblem[]): void {
  if (s.minimum !== undefined && v < s.minimum) out.push({ path, message: `Value ${v} for '${path}' is less than the minimum ${s.minimum}.` });
  if (s.maximum !== undefined && v > s.maximum) out.push({ path, message: `Value ${v} for '${path}' is greater than the maximum ${s.maximum}.` });
}

function checkArray(ctx: Ctx, s: Schema, v: unknown[], path: string): void {
  const out = ctx.out;
  if (s.minItems !== undefined && v.length < s.minItems) out.push({ path, message: `'${path}' must have at least ${s.minItems} items; it has ${v.length}.` });
  if (s.maxItems !== undefined && v.length > s.maxItems) out.push({ path, message: `'${path}' must have at most ${s.maxItems} items; it has ${v.length}.` });
  if (!s.items) return;
  // Array elements have no "absent": null is only accepted where the schema says nullable.
  const nullable = !!(s.items.nullable || resolve(ctx, s.items).nullable);
  v.forEach((item, i) => {
    if (item === null && nullable) return;
    check(ctx, s.items!, item, child(path, i));
  });
}

function checkObject(ctx: Ctx, s: Schema, v: Record<string, unknown>, path: string): void {
  const out = ctx.out;
  for (const name of s.required ?? []) {
    const p = child(path, name);
    if (!(name in v) || v[name] === undefined) out.push({ path: p, message: `Required property '${p}' not found.` });
    else if (v[name] === null) out.push({ path: p, message: `Required property '${p}' expects a value but got null.` });
  }
  const props = s.properties ?? {};
  const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  for (const [name, value] of Object.entries(v)) {
    if (value === null || value === undefined) continue; // absent; required ones were reported above
    const ps = Object.hasOwn(props, name) ? props[name] : extra;
    if (ps) check(ctx, ps, value, child(path, name));
  }
}
