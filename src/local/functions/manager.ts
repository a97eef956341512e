// The function host of the local Azure: one SiteRuntime per function app with code, and the ways code
// arrives. One Deploy / zip deploy (the SCM host) unpacks, starts and checks the package, stores it where
// the plan keeps it (Flex: released-package.zip in the deployment container), then swaps traffic to it.
// Linux Consumption runs WEBSITE_RUN_FROM_PACKAGE: when that setting (or any app setting, which restarts an
// App Service app) changes, the host loads the package again. Reconciled after ARM requests, like blob.
import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { LocalAzureContext } from '../context.ts';
import type { StoredResource } from '../state/store.ts';
import { keyOf } from '../state/store.ts';
import type { BlobPlane } from '../blob/plane.ts';
import { SiteRuntime } from './runtime.ts';
import { InvocationLog } from './invocations.ts';
import { download, inspectApp, PackageError, unpack } from './package.ts';
import { checkAccess, downloadPackage, packageLocation, uploadPackage } from './deployment-storage.ts';
import { allHostStates, DeployStatus, hostState, logStep, newDeployment, setStatus, type DeploymentRecord } from './deployments.ts';

export const SITE_TYPE = 'Microsoft.Web/sites';

export interface ManagerOptions {
  dataDir: string;
  caCertPath: string;
  caCertPem: string;
}

export class DeploymentConflict extends Error {}

export class FunctionHostManager {
  readonly invocations = new InvocationLog();
  private readonly env: LocalAzureContext;
  private readonly blob: BlobPlane;
  private readonly opts: ManagerOptions;
  private readonly runtimes = new Map<string, SiteRuntime>();
  /** Releases of requests held for a reload, per site key. */
  private readonly holds = new Map<string, () => void>();
  private reconciling: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(env: LocalAzureContext, blob: BlobPlane, opts: ManagerOptions) {
    this.env = env;
    this.blob = blob;
    this.opts = opts;
  }

  siteDir(siteId: string): string {
    const name = siteId.split('/').pop()!.toLowerCase();
    return join(this.opts.dataDir, 'functions', name);
  }

  logFile(siteId: string): string {
    return join(this.siteDir(siteId), 'host.log');
  }

  runtimeOf(siteId: string): SiteRuntime | undefined {
    return this.runtimes.get(keyOf(siteId));
  }

  private runtimeFor(siteId: string): SiteRuntime {
    let rt = this.runtimes.get(keyOf(siteId));
    if (!rt) {
      mkdirSync(this.siteDir(siteId), { recursive: true });
      rt = new SiteRuntime(this.env, siteId, { caCertPath: this.opts.caCertPath, logFile: this.logFile(siteId) });
      this.runtimes.set(keyOf(siteId), rt);
      this.invocations.attach(siteId, join(this.siteDir(siteId), 'invocations.jsonl'));
    }
    return rt;
  }

  /** Starts every app that has a deployed package (after a restart of the local Azure). */
  restore(): void {
    for (const [key, state] of Object.entries(allHostStates(this.env))) {
      const site = this.env.store.get(key);
      // A deployment interrupted by the stop did not finish.
      for (const d of state.deployments) if (!d.complete) setStatus(this.env, d, DeployStatus.Failed, 'The deployment was interrupted by a restart of the host.');
      if (!site || !state.active) continue;
      const rt = this.runtimeFor(site.id);
      const active = state.active;
      rt.ready = rt
        .serial(async () => {
          if (!existsSync(join(active.dir, 'host.json'))) await this.refetch(site, active);
          await rt.swapTo(active.dir);
        })
        .catch((e) => this.siteLog(site.id, new Error(`could not start the deployed package: ${(e as Error).message}`)));
    }
  }

  /** The unpacked folder is gone (data dir cleaned): pull the package again from where the plan keeps it. */
  private async refetch(site: StoredResource, active: NonNullable<ReturnType<typeof hostState>['active']>): Promise<void> {
    let zip: Buffer | undefined;
    const loc = packageLocation(site);
    if (active.source === 'run-from-package' && active.packageUrl) zip = await download(active.packageUrl, this.opts.caCertPem);
    else if (loc) zip = await downloadPackage(this.blob, loc);
    if (!zip) throw new PackageError('The deployed package is no longer available.');
    unpack(zip, active.dir);
  }

  /** A line in the site's host log (host.log in its folder). */
  private siteLog(siteId: string, e: unknown): void {
    try {
      mkdirSync(this.siteDir(siteId), { recursive: true });
      appendFileSync(this.logFile(siteId), `${new Date().toISOString()} host: ${(e as Error).message}\n`);
    } catch {
      /* nothing to log to */
    }
  }

  /**
   * Receives a package (One Deploy / zip deploy). Returns the record at once; `done` settles when the
   * deployment ends (Success or Failed). Throws DeploymentConflict while another deployment runs.
   */
  deploy(site: StoredResource, zip: Buffer, meta: { deployer: string; author: string; remoteBuild: boolean }): { record: DeploymentRecord; done: Promise<void> } {
    const state = hostState(this.env, site.id);
    if (state.deployments.some((d) => !d.complete)) throw new DeploymentConflict('There is a deployment currently in progress. Please try again when it completes.');
    const record = newDeployment(this.env, site.id, site.body.name, meta.deployer, meta.author);
    this.env.store.flush();
    const rt = this.runtimeFor(site.id);
    const done = rt.serial(() => this.runDeployment(site, rt, record, zip, meta));
    return { record, done };
  }

  private async runDeployment(site: StoredResource, rt: SiteRuntime, record: DeploymentRecord, zip: Buffer, meta: { deployer: string; remoteBuild: boolean }): Promise<void> {
    const env = this.env;
    const dir = join(this.siteDir(site.id), 'deployments', record.id);
    const flexLoc = packageLocation(site);
    try {
      logStep(env, record, 'Starting deployment pipeline.');
      logStep(env, record, `Zip package is present (${zip.length} bytes).`);
      if (meta.remoteBuild) {
        setStatus(env, record, DeployStatus.Building, 'Building the app.');
        logStep(env, record, '[RemoteBuild] The local Azure does not run a remote build: the package runs as uploaded, with the node_modules it contains.', 1);
      }
      setStatus(env, record, DeployStatus.Deploying, 'Deploying the package.');
      logStep(env, record, '[ExtractZipStep] Extracting the package.');
      const files = unpack(zip, dir);
      logStep(env, record, `[ExtractZipStep] Extracted ${files} files.`);
      logStep(env, record, '[ContentValidationStep] Validating the function app content.');
      inspectApp(dir);
      if (flexLoc) checkAccess(env, site, flexLoc);
      logStep(env, record, '[StartWorkerStep] Starting the function host on the new package.');
      // Start and index before anything is published, so a package that cannot start changes nothing.
      const worker = await rt.swapTo(dir).catch((e) => {
        throw new PackageError(`The function host could not start the package: ${(e as Error).message}`);
      });
      if (flexLoc) {
        logStep(env, record, `[UploadPackageStep] Uploading the package to ${flexLoc.account}/${flexLoc.container}/${flexLoc.blob}.`);
        await uploadPackage(this.blob, flexLoc, zip);
        logStep(env, record, 'Finished deploying package to blob storage.');
      }
      logStep(env, record, `[SyncTriggersStep] ${worker.functions.length} function(s) found: ${worker.functions.map((f) => f.name).join(', ') || '(none)'}.`);
      hostState(env, site.id).active = { id: record.id, dir, source: meta.deployer === 'OneDeploy' ? 'onedeploy' : 'zipdeploy' };
      for (const d of hostState(env, site.id).deployments) d.active = d === record;
      logStep(env, record, 'Finished deployment pipeline.');
      setStatus(env, record, DeployStatus.Success, 'Deployment successful.');
      this.pruneDeployments(site.id);
    } catch (e) {
      const message = (e as Error).message;
      logStep(env, record, `Deployment failed: ${message}`, 2);
      setStatus(env, record, DeployStatus.Failed, message);
      if (rt.dir !== dir) rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Removes unpacked folders no deployment runs from any more. */
  private pruneDeployments(siteId: string): void {
    const root = join(this.siteDir(siteId), 'deployments');
    const keep = hostState(this.env, siteId).active?.dir;
    // The previous worker may still be draining from its folder; leave the newest two.
    const dirs = existsSync(root) ? readdirSync(root).map((d) => join(root, d)) : [];
    const rt = this.runtimeOf(siteId);
    for (const d of dirs) if (d !== keep && d !== rt?.dir) setTimeout(() => rmSync(d, { recursive: true, force: true }), 35_000).unref();
  }

  /** Schedules a reconcile with the state (coalesced). */
  kick(): void {
    if (this.closed) return;
    this.holdRestarts();
    if (this.reconciling) {
      this.again = true;
      return;
    }
    this.reconciling = (async () => {
      do {
        this.again = false;
        await this.reconcile().catch((e) => process.stderr.write(`local azure: function host: ${(e as Error).stack}\n`));
      } while (this.again && !this.closed);
    })().finally(() => (this.reconciling = undefined));
  }

  /** What a site's settings ask for: load a new WEBSITE_RUN_FROM_PACKAGE, restart on changed settings, or nothing. */
  private wanted(site: StoredResource): 'run-from-package' | 'restart' | undefined {
    const settings = (site.secrets?.appSettings ?? {}) as Record<string, string>;
    const rfp = settings.WEBSITE_RUN_FROM_PACKAGE;
    const active = allHostStates(this.env)[keyOf(site.id)]?.active;
    if (rfp && /^https?:\/\//i.test(rfp) && !packageLocation(site) && active?.packageUrl !== rfp) return 'run-from-package';
    const rt = this.runtimeOf(site.id);
    if (rt?.worker && rt.dir && rt.settingsSig !== JSON.stringify(settings)) return 'restart';
    return undefined;
  }

  /**
   * Runs synchronously right after the ARM response that changed the settings, before the caller can send
   * its next request: from then on requests wait for the reloaded app.
   */
  private holdRestarts(): void {
    for (const site of this.env.store.all()) {
      if (site.type !== SITE_TYPE || this.holds.has(keyOf(site.id)) || !this.wanted(site)) continue;
      this.holds.set(keyOf(site.id), this.runtimeFor(site.id).hold());
    }
  }

  private release(siteId: string): void {
    this.holds.get(keyOf(siteId))?.();
    this.holds.delete(keyOf(siteId));
  }

  private async reconcile(): Promise<void> {
    // Sites deleted (directly or with their resource group): stop their code and forget it.
    for (const [key, rt] of this.runtimes) {
      if (this.env.store.get(key)?.type === SITE_TYPE) continue;
      this.runtimes.delete(key);
      await rt.stop();
      this.invocations.forget(rt.siteId);
      rmSync(this.siteDir(rt.siteId), { recursive: true, force: true });
    }
    const states = allHostStates(this.env);
    for (const key of Object.keys(states)) {
      if (!this.env.store.get(key)) {
        delete states[key];
        this.env.store.markDirty();
      }
    }
    for (const site of this.env.store.all()) {
      if (site.type !== SITE_TYPE) continue;
      const settings = (site.secrets?.appSettings ?? {}) as Record<string, string>;
      const wanted = this.wanted(site);
      const rt = this.runtimeOf(site.id);
      try {
        if (wanted === 'run-from-package') await this.runFromPackage(site, settings.WEBSITE_RUN_FROM_PACKAGE);
        else if (wanted === 'restart' && rt?.dir) {
          // App settings changed: App Service restarts the app with the new environment.
          const dir = rt.dir;
          rt.settingsSig = JSON.stringify(settings);
          await rt.serial(() => rt.swapTo(dir)).catch((e) => this.siteLog(site.id, new Error(`restart after a settings change failed: ${(e as Error).message}`)));
        }
      } finally {
        this.release(site.id);
      }
    }
    for (const key of [...this.holds.keys()]) if (this.env.store.get(key)?.type !== SITE_TYPE) this.release(key);
    this.env.store.flush();
  }

  /** Linux Consumption: download the package the setting points at and run it. */
  private async runFromPackage(site: StoredResource, url: string): Promise<void> {
    const rt = this.runtimeFor(site.id);
    const id = createHash('sha256').update(url).digest('hex').slice(0, 16);
    const dir = join(this.siteDir(site.id), 'deployments', `rfp-${id}`);
    const state = hostState(this.env, site.id);
    // Remember the URL first: a failing package is not fetched again on every reconcile.
    const previous = state.active;
    state.active = { ...(previous ?? { id, dir, source: 'run-from-package' }), packageUrl: url };
    const op = rt.serial(async () => {
      try {
        unpack(await download(url, this.opts.caCertPem), dir);
        await rt.swapTo(dir);
        state.active = { id, dir, source: 'run-from-package', packageUrl: url };
      } catch (e) {
        this.siteLog(site.id, new Error(`WEBSITE_RUN_FROM_PACKAGE: ${(e as Error).message}`));
        if (!previous) state.active = undefined;
        else state.active = { ...previous, packageUrl: url };
      }
      this.env.store.markDirty();
    });
    await op;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.reconciling;
    await Promise.all([...this.runtimes.values()].map((rt) => rt.stop()));
    this.runtimes.clear();
  }
}
