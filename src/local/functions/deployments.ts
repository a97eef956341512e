// Deployment records as Kudu / One Deploy report them on the SCM host: /api/deployments (newest first),
// /api/deployments/{id} and /api/deployments/{id}/log. Status codes are Kudu's DeployStatus: 0 Pending,
// 1 Building, 2 Deploying, 3 Failed, 4 Success. Records live in the state document (the last 20 per site),
// so they survive a restart like the deployment they describe.
import { randomUUID } from 'node:crypto';
import type { LocalAzureContext } from '../context.ts';
import { keyOf } from '../state/store.ts';

export const DeployStatus = { Pending: 0, Building: 1, Deploying: 2, Failed: 3, Success: 4 } as const;

export interface DeploymentLogEntry {
  log_time: string;
  id: string;
  message: string;
  /** 0 message, 1 warning, 2 error (Kudu LogEntryType). */
  type: 0 | 1 | 2;
  details_url: null;
}

export interface DeploymentRecord {
  id: string;
  status: number;
  status_text: string;
  author_email: string;
  author: string;
  deployer: string;
  message: string;
  progress: string;
  received_time: string;
  start_time: string;
  end_time: string | null;
  last_success_end_time: string | null;
  complete: boolean;
  active: boolean;
  is_temp: boolean;
  is_readonly: boolean;
  site_name: string;
  build_summary: { errors: string[]; warnings: string[] };
  log: DeploymentLogEntry[];
}

const KEEP = 20;

export interface SiteHostState {
  /** The deployment the site runs: the unpacked folder and where the package came from. */
  active?: { id: string; dir: string; source: 'onedeploy' | 'zipdeploy' | 'run-from-package'; packageUrl?: string };
  deployments: DeploymentRecord[];
}

export function hostState(env: LocalAzureContext, siteId: string): SiteHostState {
  const all: Record<string, SiteHostState> = (env.store.doc.extra.functionHost ??= {});
  return (all[keyOf(siteId)] ??= { deployments: [] });
}

export function allHostStates(env: LocalAzureContext): Record<string, SiteHostState> {
  return (env.store.doc.extra.functionHost ??= {});
}

export function newDeployment(env: LocalAzureContext, siteId: string, siteName: string, deployer: string, author: string): DeploymentRecord {
  const now = new Date().toISOString();
  const record: DeploymentRecord = {
    id: randomUUID(),
    status: DeployStatus.Pending,
    status_text: 'Receiving changes.',
    author_email: 'N/A',
    author,
    deployer,
    message: deployer === 'OneDeploy' ? 'OneDeploy' : 'Created via a push deployment',
    progress: '',
    received_time: now,
    start_time: now,
    end_time: null,
    last_success_end_time: null,
    complete: false,
    active: false,
    is_temp: false,
    is_readonly: true,
    site_name: siteName,
    build_summary: { errors: [], warnings: [] },
    log: [],
  };
  const state = hostState(env, siteId);
  state.deployments.unshift(record);
  state.deployments.splice(KEEP);
  env.store.markDirty();
  return record;
}

export function logStep(env: LocalAzureContext, record: DeploymentRecord, message: string, type: 0 | 1 | 2 = 0): void {
  record.log.push({ log_time: new Date().toISOString(), id: randomUUID(), message, type, details_url: null });
  record.progress = message;
  env.store.markDirty();
}

export function setStatus(env: LocalAzureContext, record: DeploymentRecord, status: number, text = ''): void {
  record.status = status;
  record.status_text = text;
  if (status === DeployStatus.Failed || status === DeployStatus.Success) {
    record.complete = true;
    record.end_time = new Date().toISOString();
    if (status === DeployStatus.Success) record.last_success_end_time = record.end_time;
    if (status === DeployStatus.Failed) record.build_summary.errors.push(text);
  }
  env.store.markDirty();
  env.store.flush();
}

/** A record as the SCM API returns it: with its own and its log's URLs, without the stored log. */
export function view(record: DeploymentRecord, scmBase: string): Record<string, unknown> {
  const { log: _log, ...rest } = record;
  return { ...rest, url: `${scmBase}/api/deployments/${record.id}`, log_url: `${scmBase}/api/deployments/${record.id}/log` };
}

export function findDeployment(env: LocalAzureContext, siteId: string, id: string): DeploymentRecord | undefined {
  const list = hostState(env, siteId).deployments;
  return id.toLowerCase() === 'latest' ? list[0] : list.find((d) => d.id.toLowerCase() === id.toLowerCase());
}
