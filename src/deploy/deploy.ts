// Deploys function code to an existing Function App: package, decide (skip when the deployed package has
// the same sha256), upload the way the app's plan wants (One Deploy on Flex Consumption, run-from-package
// on Linux Consumption), wait until the host lists the functions, then record the hash in the app
// settings. A deploy with no change sends no upload and no ARM write.
import type { AzureClients } from '../azure/clients.ts';
import type { EventSink } from '../engine/types.ts';
import { armError, isNotFound } from '../azure/arm-errors.ts';
import { keepErrorBody } from '../azure/providers/kit.ts';
import { untilHostReady } from '../azure/providers/web.ts';
import { UserError } from '../errors.ts';
import { buildPackage, formatBytes, type BuiltPackage } from './package.ts';
import { oneDeploy, timingFor, type Timing } from './one-deploy.ts';
import { runFromPackageSettings, uploadPackage, type PackageUploader } from './run-from-package.ts';
import { httpsRequest, loggingClient, type HttpClient } from './http.ts';
import { Redactor } from './secrets.ts';
import { decideUpload, planOfSite, scmHostOf, type DeployPlan } from './decide.ts';
import { waitForFunctions } from './verify.ts';

export const PACKAGE_SHA_SETTING = 'APIM_FN_PACKAGE_SHA256';
const ARM_SCOPE = 'https://management.azure.com/.default';

export interface DeployCodeInput {
  clients: AzureClients;
  resourceGroup: string;
  functionApp: string;
  /** The function project (package.json + host.json). */
  dir: string;
  /** Progress, in the engine's event vocabulary (so `up`'s renderer shows it unchanged). */
  events?: EventSink;
  /** --verbose: npm output and every SCM request, secrets masked. */
  log?: (line: string) => void;
  /** Upload even when the deployed package has the same hash. */
  force?: boolean;
  /** Extra environment for the project's build script. */
  buildEnv?: Record<string, string>;
  /** Seams for tests: the SCM transport, the blob uploader, timings. */
  http?: HttpClient;
  upload?: PackageUploader;
  timing?: Timing;
}

export interface DeployCodeResult {
  functionApp: string;
  plan: DeployPlan;
  uploaded: boolean;
  /** Why it uploaded or skipped, in a few words. */
  reason: string;
  sha256: string;
  bytes: number;
  files: number;
  functions: string[];
  deploymentId?: string;
  blobName?: string;
  seconds: number;
}

export async function deployCode(o: DeployCodeInput): Promise<DeployCodeResult> {
  const redactor = new Redactor();
  try {
    return await deployInner(o, redactor);
  } catch (e) {
    // One last pass so no secret leaves in a message, whichever layer produced it.
    if (e instanceof UserError) throw new UserError(redactor.mask(e.message), e.exitCode);
    if (e instanceof Error) e.message = redactor.mask(e.message);
    throw e;
  }
}

async function deployInner(o: DeployCodeInput, redactor: Redactor): Promise<DeployCodeResult> {
  const started = Date.now();
  const emit = o.events ?? (() => {});
  const c = o.clients;
  const timing = o.timing ?? timingFor(c.target.kind);
  const label = `function code on ${o.functionApp}`;
  const step = async <T>(key: string, stepLabel: string, work: () => Promise<T>, done: (r: T) => { label?: string; action?: 'create' | 'update' | 'unchanged'; fields?: string[] } = () => ({})): Promise<T> => {
    const t = Date.now();
    emit({ type: 'step-start', key, label: stepLabel, action: 'update' });
    try {
      const r = await work();
      const d = done(r);
      emit({ type: 'step-done', key, label: d.label ?? stepLabel, action: d.action ?? 'update', fields: d.fields ?? [], ms: Date.now() - t });
      return r;
    } catch (e) {
      emit({ type: 'step-failed', key, label: stepLabel, error: e as Error, ms: Date.now() - t });
      throw e;
    }
  };

  const web = await c.web();
  const site = await web.webApps.get(o.resourceGroup, o.functionApp).catch((e) => {
    if (isNotFound(e)) throw new UserError(`function app ${o.functionApp} was not found in resource group ${o.resourceGroup}: run 'apim-fn up' first`);
    throw armError(`reading function app ${o.functionApp}`, e);
  });
  const plan = planOfSite(site);
  const readSettings = async () => {
    try {
      return ((await web.webApps.listApplicationSettings(o.resourceGroup, o.functionApp)).properties ?? {}) as Record<string, string>;
    } catch (e) {
      throw armError(`reading app settings of ${o.functionApp}`, e);
    }
  };
  const writeSettings = async (properties: Record<string, string>) => {
    try {
      await keepErrorBody((opts) => web.webApps.updateApplicationSettings(o.resourceGroup, o.functionApp, { properties } as any, opts));
    } catch (e) {
      throw armError(`updating app settings of ${o.functionApp}`, e);
    }
  };
  const settings = await readSettings();
  for (const v of Object.values(settings)) if (/AccountKey=|sig=/i.test(v)) redactor.add(v);

  // The app and its settings are read first: a missing stack fails before the build.
  const pkg: BuiltPackage = await step('code-package', 'function package', () => buildPackage({ dir: o.dir, log: o.log, buildEnv: o.buildEnv }), (p) => ({
    label: `function package (${formatBytes(p.bytes)}, ${p.files} files, sha256 ${p.sha256.slice(0, 12)})`,
    action: 'create',
  }));

  const decision = decideUpload({ plan, localSha: pkg.sha256, settings, force: o.force });
  const base = { functionApp: o.functionApp, plan, sha256: pkg.sha256, bytes: pkg.bytes, files: pkg.files };
  if (!decision.upload) {
    emit({ type: 'step-done', key: 'code-upload', label: `${label} (same package sha256 ${pkg.sha256.slice(0, 12)})`, action: 'unchanged', fields: [], ms: 0 });
    return { ...base, uploaded: false, reason: decision.reason, functions: pkg.functionNames, seconds: secondsSince(started) };
  }

  const http = loggingClient(o.http ?? httpsRequest, o.log, redactor);
  const waiting = (reason: string) => emit({ type: 'step-waiting', key: 'code-upload', label, reason });
  let deploymentId: string | undefined;
  let blobName: string | undefined;
  let current = settings;
  const functions = await step(
    'code-upload',
    `${plan === 'flex' ? 'One Deploy' : 'run-from-package deploy'} of ${label}`,
    async () => {
      if (plan === 'flex') {
        const r = await oneDeploy({
          scmHost: scmHostOf(site),
          zip: pkg.zip,
          token: async () => {
            const t = await c.target.credential.getToken(ARM_SCOPE);
            if (!t?.token) throw new UserError('could not get an ARM access token for the SCM site (sign in with az login / azd auth login)');
            return t.token;
          },
          http,
          ca: c.target.ca,
          timing,
          redactor,
          onWait: waiting,
        });
        deploymentId = r.deploymentId;
      } else {
        const cs = settings.AzureWebJobsStorage;
        if (!cs) throw new UserError(`function app ${o.functionApp} has no AzureWebJobsStorage app setting; run 'apim-fn up' to set it`);
        const up = await (o.upload ?? uploadPackage)({ connectionString: cs, zip: pkg.zip, sha256: pkg.sha256, redactor, localOnly: c.target.kind === 'local', ca: c.target.ca });
        redactor.add(new URL(up.url).searchParams.get('sig'));
        blobName = up.blobName;
        current = runFromPackageSettings(settings, up.url);
        await writeSettings(current);
        // Core Tools waits 5 s before syncing, so the site has picked up the new setting.
        if (c.target.kind === 'azure') await (timing.sleep ?? sleep)(5_000);
        await untilHostReady(c, `syncing triggers of ${o.functionApp}`, () => tolerate200(web.webApps.syncFunctions(o.resourceGroup, o.functionApp)));
      }
      waiting('the host to list the functions');
      return waitForFunctions({ clients: c, resourceGroup: o.resourceGroup, functionApp: o.functionApp, expected: pkg.functionNames, timing, onWait: waiting });
    },
    (names) => ({ label: `${label} (${formatBytes(pkg.bytes)}; ${names.length} function${names.length === 1 ? '' : 's'}: ${names.join(', ')})`, action: 'update', fields: ['code'] }),
  );

  // Recorded last, so a failed or unverified deploy is retried by the next run.
  const latest = plan === 'flex' ? await readSettings() : current;
  await writeSettings({ ...latest, [PACKAGE_SHA_SETTING]: pkg.sha256 });
  return { ...base, uploaded: true, reason: decision.reason, functions, deploymentId, blobName, seconds: secondsSince(started) };
}

/** ARM answers the trigger-sync POSTs with 200 where arm-appservice 19 expects 204 (azure-sdk-for-js#16996). */
export async function tolerate200(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if ((e as { statusCode?: number })?.statusCode === 200) return;
    throw e;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const secondsSince = (t: number) => Math.round((Date.now() - t) / 100) / 10;
