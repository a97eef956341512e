// OpenAPI import as API Management performs it (pure, no I/O). Sources: MicrosoftDocs/azure-docs
// articles/api-management/api-management-api-import-restrictions.md and the APIM team's "Important changes to
// OpenAPI import and export" (2018):
// - operation name = normalized operationId; without one, method and URL template combined (`GET-/foo/{bar}?buzz={quix}`
//   → `get-foo-bar-buzz-quix`): lowercase, runs of non-alphanumerics → '-', dashes trimmed, 76 characters, then a
//   de-duplication suffix -1 … -999;
// - display name = summary (≤ 300 characters), else operationId, else method and path ("Get - /foo");
// - required query parameters become template parameters unless translateRequiredQueryParameters is 'query';
// - GET, HEAD and OPTIONS lose a request body; the first https server is the service URL;
// - re-import matches operations by name, updates matches in place, creates the rest and deletes the unmatched.
import { parseDocument } from 'yaml';

export class ImportError extends Error {
  readonly details: Array<{ target: string; message: string }>;
  constructor(details: Array<{ target: string; message: string }>) {
    super(details.map((d) => d.message).join(' '));
    this.details = details;
  }
}

const OAS3_INVALID =
  'Parsing error(s): The input OpenAPI file is not valid for the OpenAPI specification https://github.com/OAI/OpenAPI-Specification/blob/master/versions/3.0.1.md (schema https://github.com/OAI/OpenAPI-Specification/blob/master/schemas/v3.0/schema.yaml).';
const OAS2_INVALID =
  'Parsing error(s): The input OpenAPI file is not valid for the OpenAPI specification https://github.com/OAI/OpenAPI-Specification/blob/master/versions/2.0.md (schema https://github.com/OAI/OpenAPI-Specification/blob/master/schemas/v2.0/schema.json).';
const invalid = (kind: 'oas3' | 'oas2', detail?: string): ImportError =>
  new ImportError([
    ...(detail ? [{ target: 'representation', message: `Parsing error(s): ${detail}` }] : []),
    { target: 'representation', message: kind === 'oas3' ? OAS3_INVALID : OAS2_INVALID },
  ]);

export const INLINE_LIMIT_BYTES = 4 * 1024 * 1024;
export const IMPORT_FORMATS = ['openapi', 'openapi+json', 'swagger-json'] as const;
export const LINK_FORMATS = ['openapi-link', 'openapi+json-link', 'swagger-link-json', 'wadl-link-json', 'wsdl-link', 'graphql-link', 'odata-link', 'grpc-link'];

export interface ParsedSpec {
  kind: 'oas3' | 'oas2';
  version: string;
  doc: any;
  title?: string;
  description?: string;
  /** First https server (OpenAPI 3) or https scheme + host + basePath (OpenAPI 2). */
  serviceUrl?: string;
  termsOfServiceUrl?: string;
  contact?: Record<string, string>;
  license?: Record<string, string>;
}

/** Parses an inline import (`openapi` YAML or JSON, `openapi+json`, `swagger-json`), or throws ImportError. */
export function parseSpec(format: string, text: string): ParsedSpec {
  const kind = format === 'swagger-json' ? 'oas2' : 'oas3';
  if (typeof text !== 'string' || !text.trim()) throw new ImportError([{ target: 'value', message: 'Value is required for import.' }]);
  let doc: any;
  if (format === 'openapi') {
    const parsed = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    const err = parsed.errors[0];
    if (err) {
      const [a, b] = err.linePos ?? [{ line: 1, col: 1 }];
      const end = b ?? a;
      const msg = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw invalid(kind, `(Lin: ${a.line}, Col: ${a.col}, Chr: ${err.pos[0] + 1}) - (Lin: ${end.line}, Col: ${end.col}, Chr: ${err.pos[1] + 1}): ${msg}.`);
    }
    doc = parsed.toJS({ maxAliasCount: 1000 });
  } else {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw invalid(kind, (e as Error).message);
    }
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalid(kind);
  return kind === 'oas2' ? checkOas2(doc) : checkOas3(doc);
}

function checkInfo(doc: any, kind: 'oas3' | 'oas2'): void {
  const info = doc.info;
  if (!info || typeof info !== 'object') throw invalid(kind, "Required property 'info' not found in JSON. Path ''.");
  if (typeof info.title !== 'string') throw invalid(kind, "Required property 'title' not found in JSON. Path 'info'.");
  if (typeof info.version !== 'string') throw invalid(kind, "Required property 'version' not found in JSON. Path 'info'.");
}

function checkPaths(doc: any, kind: 'oas3' | 'oas2', required: boolean): void {
  for (const key of ['paths', 'x-ms-paths']) {
    const paths = doc[key];
    if (paths === undefined && key === 'paths' && required) throw invalid(kind, "Required property 'paths' not found in JSON. Path ''.");
    if (paths === undefined) continue;
    if (!paths || typeof paths !== 'object' || Array.isArray(paths)) throw invalid(kind, `Invalid type. Expected Object. Path '${key}'.`);
    for (const [p, item] of Object.entries<any>(paths)) {
      if (p.startsWith('x-')) continue;
      if (!p.startsWith('/')) throw invalid(kind, `Property '${p}' has not been defined and the schema does not allow additional properties. Path '${key}'.`);
      if (!item || typeof item !== 'object') throw invalid(kind, `Invalid type. Expected Object. Path '${key}.${p}'.`);
      for (const m of METHODS) {
        const op = item[m];
        if (op === undefined) continue;
        if (!op || typeof op !== 'object') throw invalid(kind, `Invalid type. Expected Object. Path '${key}.${p}.${m}'.`);
        if (kind === 'oas3' && doc.openapi.startsWith('3.0') && op.responses === undefined) {
          throw invalid(kind, `Required property 'responses' not found in JSON. Path '${key}.${p}.${m}'.`);
        }
      }
    }
  }
}

function checkOas3(doc: any): ParsedSpec {
  const v = doc.openapi;
  if (typeof v !== 'string' || !/^3\.[01]\.\d+(-[\w.]+)?$/.test(v)) {
    throw invalid('oas3', doc.swagger ? "Property 'swagger' has not been defined and the schema does not allow additional properties. Path ''." : undefined);
  }
  checkInfo(doc, 'oas3');
  checkPaths(doc, 'oas3', v.startsWith('3.0'));
  const https = (Array.isArray(doc.servers) ? doc.servers : [])
    .map((s: any) => expandServer(s))
    .find((u: string | undefined) => u && /^https:\/\//i.test(u));
  return { kind: 'oas3', version: v, doc, ...infoFields(doc), serviceUrl: https?.replace(/\/+$/, '') };
}

function checkOas2(doc: any): ParsedSpec {
  if (doc.swagger !== '2.0') throw invalid('oas2', doc.openapi ? "Property 'openapi' has not been defined and the schema does not allow additional properties. Path ''." : undefined);
  checkInfo(doc, 'oas2');
  checkPaths(doc, 'oas2', true);
  const schemes: string[] = Array.isArray(doc.schemes) ? doc.schemes : [];
  const serviceUrl =
    typeof doc.host === 'string' && (schemes.length === 0 || schemes.includes('https'))
      ? `https://${doc.host}${typeof doc.basePath === 'string' ? doc.basePath : ''}`.replace(/\/+$/, '')
      : undefined;
  return { kind: 'oas2', version: '2.0', doc, ...infoFields(doc), serviceUrl };
}

function infoFields(doc: any): Partial<ParsedSpec> {
  const info = doc.info ?? {};
  return {
    title: info.title,
    description: typeof info.description === 'string' ? info.description : undefined,
    termsOfServiceUrl: typeof info.termsOfService === 'string' ? info.termsOfService : undefined,
    contact: info.contact && typeof info.contact === 'object' ? info.contact : undefined,
    license: info.license && typeof info.license === 'object' ? { name: info.license.name, url: info.license.url } : undefined,
  };
}

function expandServer(s: any): string | undefined {
  if (!s || typeof s.url !== 'string') return undefined;
  return s.url.replace(/\{([^}]+)\}/g, (_: string, v: string) => String(s.variables?.[v]?.default ?? ''));
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;
const NO_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ParameterContract {
  name: string;
  description?: string;
  type: string;
  defaultValue?: string;
  required: boolean;
  values: string[];
  typeName?: string;
}
export interface RepresentationContract {
  contentType: string;
  examples?: Record<string, { summary?: string; description?: string; value?: unknown; externalValue?: string }>;
  typeName?: string;
}
export interface DerivedOperation {
  name: string;
  /** The operationId as written in the spec, if any. */
  operationId?: string;
  displayName: string;
  description?: string;
  method: string;
  urlTemplate: string;
  templateParameters: ParameterContract[];
  request: { description?: string; queryParameters: ParameterContract[]; headers: ParameterContract[]; representations: RepresentationContract[] };
  responses: Array<{ statusCode: number; description?: string; representations: RepresentationContract[]; headers: ParameterContract[] }>;
}

/** APIM's operation-name normalization (before de-duplication). */
export function normalizeOperationName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 76);
}

/** Suffixes -1 … -999 to names already taken (case-insensitively), in order. */
export function dedupeNames(names: string[]): string[] {
  const taken = new Set<string>();
  return names.map((n) => {
    let name = n;
    for (let k = 1; taken.has(name.toLowerCase()) && k <= 999; k++) name = `${n}-${k}`;
    taken.add(name.toLowerCase());
    return name;
  });
}

/** The API's operations as APIM derives them from a parsed spec. */
export function deriveOperations(spec: ParsedSpec, opts: { translateRequiredQueryParameters?: string } = {}): DerivedOperation[] {
  const asQuery = opts.translateRequiredQueryParameters === 'query';
  const out: Array<Omit<DerivedOperation, 'name'> & { base: string }> = [];
  for (const key of ['paths', 'x-ms-paths']) {
    for (const [path, rawItem] of Object.entries<any>(spec.doc[key] ?? {})) {
      if (path.startsWith('x-')) continue;
      const item = resolve(spec.doc, rawItem);
      for (const m of METHODS) {
        if (!item[m]) continue;
        out.push(deriveOne(spec, path, m.toUpperCase(), item, resolve(spec.doc, item[m]), asQuery));
      }
    }
  }
  const names = dedupeNames(out.map((o) => o.base));
  return out.map(({ base: _base, ...o }, k) => ({ name: names[k], ...o }));
}

function deriveOne(spec: ParsedSpec, path: string, method: string, item: any, op: any, asQuery: boolean): Omit<DerivedOperation, 'name'> & { base: string } {
  const params = mergeParams(spec.doc, item.parameters, op.parameters);
  const templateParameters: ParameterContract[] = [];
  const queryParameters: ParameterContract[] = [];
  const headers: ParameterContract[] = [];
  const pathNames = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  for (const n of pathNames) {
    const p = params.find((x) => x.in === 'path' && x.name === n);
    templateParameters.push({ ...paramContract(spec, p ?? { name: n }), required: true });
  }
  const requiredQuery: string[] = [];
  for (const p of params) {
    if (p.in === 'query') {
      if (p.required === true && !asQuery) {
        requiredQuery.push(p.name);
        templateParameters.push({ ...paramContract(spec, p), required: true });
      } else queryParameters.push(paramContract(spec, p));
    } else if (p.in === 'header') headers.push(paramContract(spec, p));
  }
  const urlTemplate = requiredQuery.length ? `${path}?${requiredQuery.map((q) => `${q}={${q}}`).join('&')}` : path;
  const operationId = typeof op.operationId === 'string' && op.operationId.trim() ? op.operationId : undefined;
  const summary = typeof op.summary === 'string' && op.summary ? op.summary.slice(0, 300) : undefined;
  const fromId = operationId ? normalizeOperationName(operationId) : '';
  const base = fromId || normalizeOperationName(`${method}-${urlTemplate}`);
  const request = {
    description: undefined as string | undefined,
    queryParameters,
    headers,
    representations: [] as RepresentationContract[],
  };
  if (!NO_BODY.has(method)) {
    if (spec.kind === 'oas3' && op.requestBody) {
      const body = resolve(spec.doc, op.requestBody);
      request.description = typeof body.description === 'string' ? body.description : undefined;
      request.representations = representations(spec, body.content);
    } else if (spec.kind === 'oas2') {
      const bodyParam = params.find((p) => p.in === 'body');
      if (bodyParam) {
        request.description = bodyParam.description;
        const types: string[] = op.consumes ?? spec.doc.consumes ?? ['application/json'];
        request.representations = types.map((t) => ({ contentType: t, ...typeName(bodyParam.schema) }));
      }
    }
  }
  return {
    base,
    operationId,
    displayName: summary ?? operationId ?? `${method[0]}${method.slice(1).toLowerCase()} - ${urlTemplate}`,
    description: typeof op.description === 'string' ? op.description : summary,
    method,
    urlTemplate,
    templateParameters,
    request,
    responses: responses(spec, op),
  };
}

function mergeParams(doc: any, pathLevel: any, opLevel: any): any[] {
  const list: any[] = [];
  for (const raw of [...(Array.isArray(pathLevel) ? pathLevel : []), ...(Array.isArray(opLevel) ? opLevel : [])]) {
    const p = resolve(doc, raw);
    if (!p || typeof p.name !== 'string' || typeof p.in !== 'string') continue;
    const at = list.findIndex((x) => x.name === p.name && x.in === p.in);
    if (at >= 0) list[at] = p;
    else list.push(p);
  }
  return list;
}

function paramContract(spec: ParsedSpec, p: any): ParameterContract {
  const schema = spec.kind === 'oas3' ? resolve(spec.doc, p.schema ?? {}) : p;
  const out: ParameterContract = {
    name: p.name,
    type: typeof schema?.type === 'string' ? schema.type : 'string',
    required: p.required === true,
    values: Array.isArray(schema?.enum) ? schema.enum.map(String) : [],
  };
  if (typeof p.description === 'string') out.description = p.description;
  if (schema?.default !== undefined) out.defaultValue = String(schema.default);
  Object.assign(out, typeName(p.schema));
  return out;
}

const typeName = (schema: any): { typeName?: string } =>
  schema && typeof schema.$ref === 'string' ? { typeName: schema.$ref.split('/').pop() } : {};

function representations(spec: ParsedSpec, content: any): RepresentationContract[] {
  if (!content || typeof content !== 'object') return [];
  return Object.entries<any>(content).map(([contentType, media]) => {
    const r: RepresentationContract = { contentType, ...typeName(media?.schema) };
    if (media?.example !== undefined) r.examples = { default: { value: media.example } };
    else if (media?.examples && typeof media.examples === 'object') {
      r.examples = Object.fromEntries(
        Object.entries<any>(media.examples).map(([k, ex]) => {
          const e = resolve(spec.doc, ex);
          return [k, { summary: e.summary, description: e.description, value: e.value, externalValue: e.externalValue }];
        }),
      );
    }
    return r;
  });
}

function responses(spec: ParsedSpec, op: any): DerivedOperation['responses'] {
  const out: DerivedOperation['responses'] = [];
  for (const [code, raw] of Object.entries<any>(op.responses ?? {})) {
    if (!/^[1-5]\d\d$/.test(code)) continue; // 'default' and '2XX' have no place in APIM's contract
    const r = resolve(spec.doc, raw);
    const headers = Object.entries<any>(r.headers ?? {}).map(([name, h]) => paramContract(spec, { ...resolve(spec.doc, h), name }));
    let reps: RepresentationContract[];
    if (spec.kind === 'oas3') reps = representations(spec, r.content);
    else {
      const types: string[] = op.produces ?? spec.doc.produces ?? ['application/json'];
      reps = r.schema ? types.map((t) => ({ contentType: t, ...typeName(r.schema) })) : [];
    }
    out.push({ statusCode: Number(code), description: typeof r.description === 'string' ? r.description : undefined, representations: reps, headers });
  }
  return out;
}

/** Follows a local `$ref` (one level per call site); external references are refused as APIM refuses them. */
function resolve(doc: any, node: any, seen = 0): any {
  if (!node || typeof node !== 'object' || typeof node.$ref !== 'string') return node ?? {};
  const ref: string = node.$ref;
  if (!ref.startsWith('#/')) throw new ImportError([{ target: 'representation', message: `Parsing error(s): $ref pointers can't reference external files: '${ref}'.` }]);
  const target = ref
    .slice(2)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<any>((o, k) => (o == null ? undefined : o[k]), doc);
  if (target === undefined) throw new ImportError([{ target: 'representation', message: `Parsing error(s): Reference '${ref}' could not be resolved.` }]);
  return seen > 20 ? target : resolve(doc, target, seen + 1);
}

export interface ExistingOperation {
  name: string;
  method: string;
  urlTemplate: string;
}

export interface ReimportPlan {
  update: DerivedOperation[];
  create: DerivedOperation[];
  /** Names of existing operations the import deletes. */
  remove: string[];
}

/**
 * Re-import: spec operations whose (normalized) name matches an existing operation update it in place; the others
 * are created; unmatched existing operations are deleted. An in-place update that would take the method and URL
 * template of another, unmatched existing operation fails, as APIM fails it ("Operation with the same method and
 * URL template already exists") — the known trap of changing operationId and path together.
 */
export function planReimport(existing: ExistingOperation[], derived: DerivedOperation[]): ReimportPlan {
  const byName = new Map(existing.map((e) => [e.name.toLowerCase(), e]));
  const matched = new Set(derived.filter((d) => byName.has(d.name.toLowerCase())).map((d) => d.name.toLowerCase()));
  const unmatched = existing.filter((e) => !matched.has(e.name.toLowerCase()));
  const same = (a: { method: string; urlTemplate: string }, b: { method: string; urlTemplate: string }) =>
    a.method.toUpperCase() === b.method.toUpperCase() && a.urlTemplate.toLowerCase() === b.urlTemplate.toLowerCase();
  for (const d of derived) {
    if (!matched.has(d.name.toLowerCase())) continue;
    const clash = unmatched.find((e) => same(e, d));
    if (clash) throw duplicateOperation(d);
  }
  checkUnique(derived);
  return {
    update: derived.filter((d) => matched.has(d.name.toLowerCase())),
    create: derived.filter((d) => !matched.has(d.name.toLowerCase())),
    remove: unmatched.map((e) => e.name),
  };
}

const duplicateOperation = (d: { method: string; urlTemplate: string }) =>
  new ImportError([{ target: 'urlTemplate', message: `Operation with the same method and URL template already exists: ${d.method}, ${d.urlTemplate}` }]);

/** Two operations of one API may not share method and URL template (case-insensitive). */
export function checkUnique(ops: Array<{ method: string; urlTemplate: string }>): void {
  const seen = new Set<string>();
  for (const o of ops) {
    const k = `${o.method.toUpperCase()} ${o.urlTemplate.toLowerCase()}`;
    if (seen.has(k)) throw duplicateOperation(o);
    seen.add(k);
  }
}
