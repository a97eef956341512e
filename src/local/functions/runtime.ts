// The running code of one function app: its current worker, the HTTP routes it indexed, and the swap that
// replaces it. A new worker is started next to the old one; only when it has indexed its functions does
// traffic move to it (the functions are reported to ARM at the same moment), then the old one drains its
// in-flight invocations and stops. A worker that crashes is started again with backoff.
import { randomBytes } from 'node:crypto';
import type { LocalAzureContext } from '../context.ts';
import { registerFunctions, type RegisteredFunction } from '../arm/providers/web.ts';
import { compileRoute, sortRoutes, type HttpRoute } from './routes.ts';
import { inspectApp, type AppInfo } from './package.ts';
import { WorkerProcess } from './worker.ts';
import type { IndexedFunction } from './worker/protocol.ts';

export interface RuntimeOptions {
  caCertPath: string;
  logFile: string;
}

export class SiteRuntime {
  readonly siteId: string;
  private readonly env: LocalAzureContext;
  private readonly opts: RuntimeOptions;
  worker: WorkerProcess | undefined;
  routes: HttpRoute[] = [];
  info: AppInfo | undefined;
  dir: string | undefined;
  /** Pending while a (re)start is under way; requests wait on it rather than fail. */
  ready: Promise<void> | undefined;
  /** Set while a restart holds requests even though the old worker still runs (see hold()). */
  holding = false;
  /** App settings the current worker was started with (a change restarts it, as on App Service). */
  settingsSig = '';
  private queue: Promise<unknown> = Promise.resolve();
  private crashes = 0;
  private stopped = false;

  constructor(env: LocalAzureContext, siteId: string, opts: RuntimeOptions) {
    this.env = env;
    this.siteId = siteId;
    this.opts = opts;
  }

  /** Runs operations on this app one at a time (deploys, restarts, stop). */
  serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Starts a worker on `dir` and moves traffic to it; the old worker keeps serving if this throws. */
  async swapTo(dir: string): Promise<WorkerProcess> {
    const info = inspectApp(dir);
    const site = this.env.store.get(this.siteId);
    if (!site) throw new Error('The site no longer exists.');
    const settings = { ...(site.secrets?.appSettings ?? {}) } as Record<string, string>;
    const worker = new WorkerProcess({ appDir: dir, env: this.environment(site, settings, dir), logFile: this.opts.logFile });
    const starting = worker.start();
    this.ready ??= starting.catch(() => undefined);
    try {
      await starting;
    } catch (e) {
      await worker.stop();
      throw e;
    } finally {
      if (!this.worker) this.ready = undefined;
    }
    if (this.stopped) {
      await worker.stop();
      throw new Error('The site was stopped during the deployment.');
    }
    const old = this.worker;
    this.worker = worker;
    this.routes = routesOf(worker.functions, info.routePrefix, settings);
    this.info = info;
    this.dir = dir;
    this.settingsSig = JSON.stringify(settings);
    this.ready = undefined;
    this.crashes = 0;
    worker.onCrash = () => this.crashed(worker);
    registerFunctions(this.env, this.siteId, this.armFunctions(worker.functions, info.routePrefix, settings));
    this.env.store.flush();
    if (old) void old.drainAndStop();
    return worker;
  }

  /**
   * Holds new requests until the returned release is called: an app settings change restarts an App
   * Service app, so requests after it wait for the restarted host instead of reaching the old code.
   */
  hold(): () => void {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    this.ready = held;
    this.holding = true;
    return () => {
      if (this.ready === held) this.ready = undefined;
      this.holding = false;
      release();
    };
  }

  /** Stops the worker for good (site deleted, local Azure closing). */
  async stop(): Promise<void> {
    this.stopped = true;
    const w = this.worker;
    this.worker = undefined;
    await w?.stop();
  }

  private crashed(worker: WorkerProcess): void {
    if (this.worker !== worker || this.stopped) return;
    this.worker = undefined;
    const delay = Math.min(30_000, 500 * 2 ** this.crashes++);
    const dir = this.dir;
    if (!dir) return;
    worker.log(`host: restarting the worker in ${delay} ms`);
    this.ready = new Promise<void>((resolve) => {
      setTimeout(() => {
        if (this.stopped) return resolve();
        void this.serial(() => this.swapTo(dir))
          .catch((e) => worker.log(`host: restart failed: ${(e as Error).message}`))
          .finally(resolve);
      }, delay).unref();
    });
  }

  /** App settings become environment variables, with the platform's own variables under them. */
  private environment(site: { id: string; body: Record<string, any> }, settings: Record<string, string>, dir: string): Record<string, string> {
    const host = this.env.hosts.hostOf(this.siteId, 'function-app') ?? '';
    const runtime = site.body.properties?.functionAppConfig?.runtime;
    const rg = site.id.split('/')[4];
    return {
      FUNCTIONS_WORKER_RUNTIME: runtime?.name ?? 'node',
      FUNCTIONS_EXTENSION_VERSION: '~4',
      WEBSITE_SITE_NAME: site.body.name,
      WEBSITE_HOSTNAME: host,
      WEBSITE_RESOURCE_GROUP: rg,
      WEBSITE_OWNER_NAME: `${this.env.subscriptionId}+${rg}-${String(site.body.location).replace(/\s+/g, '')}webspace-Linux`,
      WEBSITE_INSTANCE_ID: randomBytes(32).toString('hex'),
      WEBSITE_SKU: site.body.properties?.sku ?? '',
      REGION_NAME: site.body.location,
      AzureWebJobsScriptRoot: dir,
      // Outgoing calls from the app to local endpoints (Azurite, other apps, the gateway) trust the local CA.
      NODE_EXTRA_CA_CERTS: this.opts.caCertPath,
      ...settings,
    };
  }

  /** The functions as ARM's GET .../functions shows them (function.json-style config, invoke URL). */
  private armFunctions(fns: IndexedFunction[], prefix: string, settings: Record<string, string>): RegisteredFunction[] {
    const host = this.env.hosts.hostOf(this.siteId, 'function-app');
    return fns.map((f) => {
      const trigger = Object.values(f.bindings).find((b) => b.type === 'httpTrigger');
      const route = trigger ? String(trigger.route ?? f.name) : undefined;
      const bindings = f.rawBindings.map((raw) => {
        const b = JSON.parse(raw);
        return { ...b, direction: String(b.direction).toUpperCase(), ...(b.authLevel ? { authLevel: String(b.authLevel).toUpperCase() } : {}) };
      });
      return {
        name: f.name,
        config: { name: f.name, entryPoint: '', scriptFile: f.scriptFile, language: 'node', functionDirectory: f.directory, bindings },
        invokeUrlTemplate: route !== undefined ? `https://${host}/${[prefix, route].filter(Boolean).join('/')}` : undefined,
        language: 'node',
        isDisabled: disabled(settings, f.name),
      };
    });
  }
}

/** AzureWebJobs.<name>.Disabled=true turns a function off (functions-how-to-disable). */
function disabled(settings: Record<string, string>, name: string): boolean {
  const key = Object.keys(settings).find((k) => k.toLowerCase() === `azurewebjobs.${name.toLowerCase()}.disabled`);
  return key !== undefined && /^(true|1)$/i.test(settings[key]);
}

function routesOf(fns: IndexedFunction[], prefix: string, settings: Record<string, string>): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const f of fns) {
    if (disabled(settings, f.name)) continue;
    const entry = Object.entries(f.bindings).find(([, b]) => b.type === 'httpTrigger');
    if (!entry) continue;
    const [triggerName, b] = entry;
    const template = typeof b.route === 'string' && b.route ? b.route : f.name;
    const compiled = compileRoute(prefix, template);
    routes.push({
      functionName: f.name,
      functionId: f.functionId,
      triggerName,
      authLevel: (String(b.authLevel ?? 'function').toLowerCase() as HttpRoute['authLevel']),
      methods: Array.isArray(b.methods) ? b.methods.map((m: string) => m.toUpperCase()) : [],
      template,
      ...compiled,
    });
  }
  return sortRoutes(routes);
}
