// Conformance checker for tests: replays request/response pairs the local Azure recorded (startHarness({ recordBodies:
// true }), then GET /.local/log?bodies=1) through Microsoft's own live validator, `oav` (the engine behind Azure's Mock
// Service Host), against the REST specs in shared/azure-specs. Each pair is checked as real ARM traffic would be:
// the request body against the operation's parameters, the response status/headers/body against its responses.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** One entry of the local Azure's request log, recorded with bodies. */
export interface RecordedPair {
  method: string;
  path: string;
  status: number;
  request?: { url: string; headers: Record<string, string>; body?: unknown };
  response?: { headers: Record<string, string>; body?: unknown };
}

export interface ConformanceError {
  code: string;
  message: string;
  /** Where in the payload: `/sku/name`, or '' for status/header problems. */
  path: string;
  /** Which half of the pair the error is about. */
  in: 'request' | 'response';
}

export interface ConformanceIssue {
  method: string;
  path: string;
  status: number;
  operationId: string;
  errors: ConformanceError[];
}

export interface ConformanceReport {
  issues: ConformanceIssue[];
  /** Pairs oav matched to an operation and validated. */
  validated: Array<{ method: string; path: string; status: number; operationId: string }>;
  skipped: Array<{ method: string; path: string; reason: string }>;
}

/** The azure-specs dir: $AZURE_SPECS_DIR, else ../shared/azure-specs beside the repo root; undefined if absent. */
export function specsDir(): string | undefined {
  const candidates = [process.env.AZURE_SPECS_DIR, path.resolve(repoRoot, '..', 'shared', 'azure-specs')].filter(Boolean) as string[];
  return candidates.find((c) => existsSync(path.join(c, 'resources')) && existsSync(path.join(c, 'common-types')));
}

// Not in the vendored specs: the Web and Authorization specs are not vendored, and LRO status URLs only match the
// generic Resources_GetById (whose response schema is a GenericResource, not an operation status).
const NOT_IN_SPECS: Array<[RegExp, string]> = [
  [/\/providers\/Microsoft\.Web\//i, 'Microsoft.Web spec not vendored'],
  [/\/providers\/Microsoft\.Authorization\//i, 'Microsoft.Authorization spec not vendored'],
  [/\/(operationresults|asyncoperations)\//i, 'LRO status URL (no operation in the specs)'],
];

type LiveValidatorT = import('oav').LiveValidator;
let validator: Promise<LiveValidatorT> | undefined;
/** Milliseconds the one-per-process LiveValidator took to load oav and the specs (for reporting). */
export let oavInitMs: number | undefined;

/** ajv (inside oav) warns through console.warn about spec formats it does not know; those are noise here. */
let quietDepth = 0;
let originalWarn: typeof console.warn = console.warn;
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  if (quietDepth++ === 0) {
    originalWarn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && /^unknown format ".*" ignored/.test(args[0])) return;
      originalWarn(...args);
    };
  }
  try {
    return await fn();
  } finally {
    if (--quietDepth === 0) console.warn = originalWarn;
  }
}

function liveValidator(dir: string): Promise<LiveValidatorT> {
  validator ??= quietly(async () => {
    const started = performance.now();
    const oav: typeof import('oav') = require('oav');
    // Modules inside oav log through this winston logger straight to stdout.
    require('oav/dist/lib/util/logging.js').log.consoleLogLevel = 'off';
    const v = new oav.LiveValidator(
      {
        directory: dir,
        swaggerPathsPattern: ['**/*.json'],
        excludedSwaggerPathsPattern: ['**/examples/**', 'common-types/**', '**/common/**', 'apimanagement/**/definitions.json'],
        git: { shouldClone: false },
        isPathCaseSensitive: false,
        isArmCall: true,
        // Build each spec's validator when a pair first needs it, not all of them in the background after
        // initialize (that keeps the process busy for seconds and logs outside `quietly`).
        loadValidatorInBackground: false,
      },
      () => {}, // the validator's own trace/perf log
    );
    await v.initialize();
    oavInitMs = performance.now() - started;
    return v;
  });
  return validator;
}

/** Pairs with conformance errors (empty when everything oav could match conforms). */
export async function validateRecordedPairs(pairs: RecordedPair[]): Promise<ConformanceIssue[]> {
  return (await checkRecordedPairs(pairs)).issues;
}

/** Like validateRecordedPairs, also saying what was validated and what was skipped and why. */
export async function checkRecordedPairs(pairs: RecordedPair[]): Promise<ConformanceReport> {
  const dir = specsDir();
  if (!dir) throw new Error('azure-specs not found: set AZURE_SPECS_DIR (tests should skip when specsDir() is undefined)');
  const v = await liveValidator(dir);
  const report: ConformanceReport = { issues: [], validated: [], skipped: [] };
  for (const pair of pairs) {
    const where = { method: pair.method, path: pair.path };
    const skip = NOT_IN_SPECS.find(([re]) => re.test(pair.path));
    if (skip) {
      report.skipped.push({ ...where, reason: skip[1] });
      continue;
    }
    if (!pair.request || !pair.response) throw new Error(`${pair.method} ${pair.path} has no bodies: start the local Azure with recordBodies: true and read /.local/log?bodies=1`);
    if (!pair.status) {
      report.skipped.push({ ...where, reason: 'connection dropped (fault injection)' });
      continue;
    }
    const result = await quietly(() =>
      v.validateLiveRequestResponse({
        liveRequest: { url: pair.request!.url, method: pair.method.toLowerCase(), headers: pair.request!.headers, body: pair.request!.body } as any,
        liveResponse: { statusCode: String(pair.status), headers: pair.response!.headers, body: pair.response!.body } as any,
      }),
    );
    const req = result.requestValidationResult;
    const res = result.responseValidationResult;
    const runtime = result.runtimeException ?? req.runtimeException ?? res.runtimeException;
    if (runtime && /^OPERATION_NOT_FOUND_IN_CACHE/.test(runtime.code)) {
      report.skipped.push({ ...where, reason: `${runtime.code}: ${runtime.message}` });
      continue;
    }
    const operationId = req.operationInfo?.operationId || res.operationInfo?.operationId || '';
    const toError = (side: 'request' | 'response') => (e: { code: unknown; message: string; pathsInPayload?: string[] }): ConformanceError => ({
      code: String(e.code),
      message: e.message,
      path: e.pathsInPayload?.[0] ?? '',
      in: side,
    });
    const errors = [...req.errors.map(toError('request')), ...res.errors.map(toError('response'))];
    if (runtime) errors.push({ code: runtime.code, message: runtime.message, path: '', in: 'request' });
    report.validated.push({ ...where, status: pair.status, operationId });
    if (errors.length) report.issues.push({ ...where, status: pair.status, operationId, errors });
  }
  return report;
}

/** A readable summary for assertion messages. */
export function formatIssues(issues: ConformanceIssue[]): string {
  return issues
    .map((i) => `${i.method} ${i.path} → ${i.status} (${i.operationId}):\n${i.errors.map((e) => `  ${e.in} ${e.code} ${e.path} ${e.message}`).join('\n')}`)
    .join('\n');
}
