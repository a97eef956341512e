// Flex Consumption code deploys through One Deploy on the app's SCM (Kudu) site, as Core Tools does
// (PublishFunctionAppAction.PerformFlexDeployment): POST the zip to /api/publish?isAsync=true with the ARM
// bearer token, then poll /api/deployments/{id}. The deployment's own status (body `status`) decides:
// the endpoint answers HTTP 200 both while a deploy runs and after it failed.
import { UserError } from '../errors.ts';
import { header, parseJson, TransportError, type HttpClient, type HttpResponse } from './http.ts';
import type { Redactor } from './secrets.ts';

/** Kudu's DeployStatus (Common/DeployStatus.cs). */
export const DeployStatus = { Unknown: -1, Pending: 0, Building: 1, Deploying: 2, Failed: 3, Success: 4, Conflict: 5, PartialSuccess: 6 } as const;

export type DeployOutcome = 'running' | 'success' | 'failed' | 'conflict' | 'partial';

/** Maps a deployment's `status` to what the deploy does next. Unknown (-1, absent) keeps polling, bounded. */
export function deploymentOutcome(status: unknown): DeployOutcome {
  switch (Number(status)) {
    case DeployStatus.Success:
      return 'success';
    case DeployStatus.Failed:
      return 'failed';
    case DeployStatus.Conflict:
      return 'conflict';
    case DeployStatus.PartialSuccess:
      return 'partial';
    default:
      return 'running';
  }
}

export interface Timing {
  /** Poll interval for deployment status (Core Tools: 3 s). */
  intervalMs: number;
  /** How long the SCM site may answer 404/409/503 (or refuse connections) while it warms up. */
  warmupMs: number;
  /** How long storage may refuse the app's identity after a new role assignment (403 / BlobUploadFailed). */
  rbacMs: number;
  /** How long one deployment may run. */
  deployMs: number;
  /** Retries (re-sending the package) back off from intervalMs, doubling up to this. */
  backoffCapMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export const timingFor = (kind: 'azure' | 'local'): Timing =>
  kind === 'local'
    ? { intervalMs: 100, warmupMs: 10_000, rbacMs: 10_000, deployMs: 60_000, backoffCapMs: 1_000 }
    : { intervalMs: 3_000, warmupMs: 180_000, rbacMs: 300_000, deployMs: 900_000, backoffCapMs: 15_000 };

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface OneDeployInput {
  scmHost: string;
  zip: Uint8Array;
  /** A fresh ARM access token (https://management.azure.com/.default). */
  token: () => Promise<string>;
  http: HttpClient;
  ca?: string;
  timing: Timing;
  redactor: Redactor;
  /** Reports why the deploy is waiting (shown as a spinner line). */
  onWait?: (reason: string) => void;
}

export interface OneDeployResult {
  deploymentId: string;
  attempts: number;
}

/** Storage refusing the app's identity: a role assignment that has not propagated yet. */
export const looksLikeRbacDelay = (text: string): boolean =>
  /BlobUploadFailed|AuthorizationPermissionMismatch|AuthorizationFailure|This request is not authorized|\b403\b/i.test(text);

const WARMUP_STATUSES = new Set([404, 409, 429, 500, 502, 503]);
const TRANSIENT_TRANSPORT = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);

class Retryable extends Error {
  readonly kind: 'warmup' | 'rbac';
  constructor(kind: 'warmup' | 'rbac', message: string) {
    super(message);
    this.kind = kind;
  }
}

export async function oneDeploy(o: OneDeployInput): Promise<OneDeployResult> {
  const sleep = o.timing.sleep ?? defaultSleep;
  const started = Date.now();
  const base = `https://${o.scmHost}`;
  const publishUrl = `${base}/api/publish?isAsync=true&RemoteBuild=false&Deployer=apim-fn`;
  const body = Buffer.from(o.zip.buffer, o.zip.byteOffset, o.zip.byteLength);

  const call = async (method: string, url: string, extra: { body?: Buffer; headers?: Record<string, string> } = {}): Promise<HttpResponse> => {
    const token = await o.token();
    o.redactor.add(token);
    try {
      return await o.http(url, { method, ca: o.ca, body: extra.body, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...extra.headers } });
    } catch (e) {
      if (e instanceof TransportError && TRANSIENT_TRANSPORT.has(e.code ?? '')) throw new Retryable('warmup', `${method} ${url}: ${e.message}`);
      throw e;
    }
  };
  const fail = (what: string, res: HttpResponse) =>
    new UserError(o.redactor.mask(`${what}: HTTP ${res.status}${res.text ? `: ${firstLine(res.text)}` : ''}`));

  const publish = async (): Promise<string> => {
    const res = await call('POST', publishUrl, { body, headers: { 'Content-Type': 'application/zip', 'If-Match': '*' } });
    if (res.status === 200 || res.status === 202) return deploymentUrl(base, res) ?? (await newestDeployment());
    if (res.status === 401) throw fail(`One Deploy to ${o.scmHost} was refused (sign in again: az login / azd auth login)`, res);
    if (res.status === 403 || (res.status === 400 && looksLikeRbacDelay(res.text))) throw new Retryable('rbac', `publish answered ${res.status}: ${firstLine(res.text)}`);
    if (WARMUP_STATUSES.has(res.status)) throw new Retryable('warmup', `publish answered ${res.status}${res.status === 409 ? ' (another deployment is in progress)' : ''}`);
    throw fail(`One Deploy to ${o.scmHost} failed`, res);
  };

  const newestDeployment = async (): Promise<string> => {
    const res = await call('GET', `${base}/api/deployments`);
    const list = parseJson(res.text);
    const items: any[] = Array.isArray(list) ? list : Array.isArray(list?.value) ? list.value : [];
    const newest = [...items].sort((a, b) => String(b.received_time ?? b.start_time ?? '').localeCompare(String(a.received_time ?? a.start_time ?? '')))[0];
    if (res.status !== 200 || !newest?.id) throw new UserError(o.redactor.mask(`One Deploy to ${o.scmHost} accepted the package but named no deployment to follow (GET /api/deployments: HTTP ${res.status})`));
    return `${base}/api/deployments/${encodeURIComponent(newest.id)}`;
  };

  /** Polls until the deployment ends; returns its id, throws on Failed/Conflict/PartialSuccess. */
  const follow = async (url: string): Promise<string> => {
    const deadline = Date.now() + o.timing.deployMs;
    for (;;) {
      let res: HttpResponse;
      try {
        res = await call('GET', url);
      } catch (e) {
        // A dropped connection while polling is the SCM site restarting: keep polling, do not publish again.
        if (!(e instanceof Retryable) || Date.now() + o.timing.intervalMs > deadline) throw e;
        await sleep(o.timing.intervalMs);
        continue;
      }
      const d = parseJson(res.text);
      // A just-created deployment id can answer 404 for a moment (azure-dev#4439); 5xx is the SCM site restarting.
      if (res.status === 200 && d && typeof d === 'object') {
        const outcome = deploymentOutcome(d.status);
        if (outcome === 'success') return String(d.id ?? url.split('/').pop());
        if (outcome !== 'running') {
          const log = await deploymentLog(`${url.replace(/\/$/, '')}/log`);
          const text = [d.status_text, d.message, ...log].filter(Boolean).join('; ');
          if (outcome === 'conflict') throw new Retryable('warmup', `deployment conflicted with another one${text ? `: ${text}` : ''}`);
          if (outcome === 'failed' && looksLikeRbacDelay(text)) throw new Retryable('rbac', `deployment failed: ${text}`);
          throw new UserError(o.redactor.mask(`deployment ${d.id ?? ''} ${outcome === 'partial' ? 'partially succeeded' : 'failed'} on ${o.scmHost}${text ? `: ${text}` : ''}`.replace(/ {2}/g, ' ')));
        }
        o.onWait?.(`deployment ${d.status_text || statusName(d.status)}`);
      } else if (!WARMUP_STATUSES.has(res.status)) {
        throw fail(`reading deployment status from ${o.scmHost}`, res);
      }
      if (Date.now() + o.timing.intervalMs > deadline) {
        throw new UserError(`the deployment on ${o.scmHost} did not finish within ${Math.round(o.timing.deployMs / 1000)}s (last status: ${d?.status ?? `HTTP ${res.status}`}); check it with 'az functionapp log deployment show'`);
      }
      await sleep(o.timing.intervalMs);
    }
  };

  /** The last messages of a deployment's log, errors first (type 2), at most 3, each one line. */
  const deploymentLog = async (url: string): Promise<string[]> => {
    try {
      const res = await call('GET', url);
      const entries: any[] = res.status === 200 ? (parseJson(res.text) ?? []) : [];
      if (!Array.isArray(entries)) return [];
      const errors = entries.filter((e) => Number(e?.type) === 2);
      return (errors.length ? errors : entries).slice(-3).map((e) => firstLine(String(e?.message ?? ''))).filter(Boolean);
    } catch {
      return [];
    }
  };

  let attempts = 0;
  let delay = o.timing.intervalMs;
  const deadlines = { warmup: started + o.timing.warmupMs, rbac: started + o.timing.rbacMs };
  for (;; delay = Math.min(delay * 2, o.timing.backoffCapMs ?? delay * 2)) {
    attempts++;
    try {
      const url = await publish();
      return { deploymentId: await follow(url), attempts };
    } catch (e) {
      if (!(e instanceof Retryable)) throw e;
      if (Date.now() + delay > deadlines[e.kind]) {
        const hint = e.kind === 'rbac' ? ' (the app identity may still lack Storage Blob Data Owner on the deployment storage account; run apim-fn up again)' : ` (is the SCM site ${o.scmHost} up?)`;
        throw new UserError(o.redactor.mask(`One Deploy to ${o.scmHost} kept failing for ${Math.round((Date.now() - started) / 1000)}s: ${e.message}${hint}`));
      }
      o.onWait?.(e.kind === 'rbac' ? 'storage access for the app identity (role assignment propagating)' : 'the SCM site to accept the package');
      await sleep(delay);
    }
  }
}

/** Where to follow the deployment: SCM-DEPLOYMENT-ID, then Location, then the body's id. */
export function deploymentUrl(base: string, res: HttpResponse): string | undefined {
  const id = header(res, 'scm-deployment-id');
  if (id) return `${base}/api/deployments/${encodeURIComponent(id)}`;
  const location = header(res, 'location');
  if (location) return new URL(location, base).toString();
  const body = parseJson(res.text);
  if (body && typeof body === 'object' && typeof body.id === 'string' && body.id) return `${base}/api/deployments/${encodeURIComponent(body.id)}`;
  return undefined;
}

const statusName = (s: unknown): string => Object.entries(DeployStatus).find(([, v]) => v === Number(s))?.[0]?.toLowerCase() ?? `status ${s}`;

const firstLine = (s: string): string => s.trim().split('\n')[0].slice(0, 300);
