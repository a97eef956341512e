// The data plane of function apps in the local Azure: Azurite as blob storage (../blob), the SCM host
// (deployments) and the function host (HTTP triggers) on each site's loopback hosts. Started and stopped
// with the local Azure (src/local/index.ts). What other modules may rely on:
//   - invocationsOf(env, siteId): the app's invocation records (function, id, status, duration, time);
//   - functionHostOf(env): the manager, e.g. for deploy(site, zip, ...) or a site's host.log path;
//   - storage accounts report Azurite as primaryEndpoints.blob, and ARM containers exist there.
import type { Server } from 'node:https';
import { join } from 'node:path';
import type { LocalAzureContext } from '../context.ts';
import { BlobPlane } from '../blob/plane.ts';
import { FunctionHostManager } from './manager.ts';
import { functionAppHandler } from './http-host.ts';
import { scmHandler } from './scm.ts';
import type { InvocationRecord } from './invocations.ts';

export type { InvocationRecord } from './invocations.ts';

export interface DataPlaneOptions {
  dataDir: string;
  caCertPath: string;
  caCertPem: string;
}

export interface DataPlane {
  blob: BlobPlane;
  functions: FunctionHostManager;
  /** Reconciles blob storage and function hosts after every request the ARM server answers. */
  observe(server: Server): void;
  stop(): Promise<void>;
}

const planes = new WeakMap<LocalAzureContext, DataPlane>();

export async function startDataPlane(env: LocalAzureContext, opts: DataPlaneOptions): Promise<DataPlane> {
  const blob = new BlobPlane(env, {
    dataDir: opts.dataDir,
    certPath: join(opts.dataDir, 'server.pem'),
    keyPath: join(opts.dataDir, 'server-key.pem'),
    caCertPem: opts.caCertPem,
  });
  await blob.start();
  const functions = new FunctionHostManager(env, blob, opts);
  env.hosts.setHandler('function-app', functionAppHandler(env, functions));
  env.hosts.setHandler('scm', scmHandler(env, functions));
  functions.restore();
  env.store.flush();
  const plane: DataPlane = {
    blob,
    functions,
    observe(server) {
      server.on('request', (req, res) => {
        // Reads change nothing the data plane mirrors.
        if (req.method === 'GET' || req.method === 'HEAD') return;
        res.once('finish', () => {
          blob.kick();
          functions.kick();
        });
      });
    },
    async stop() {
      await functions.close();
      await blob.stop();
      planes.delete(env);
    },
  };
  planes.set(env, plane);
  return plane;
}

export function functionHostOf(env: LocalAzureContext): FunctionHostManager | undefined {
  return planes.get(env)?.functions;
}

/** Invocation records of a function app, oldest first (empty when it has none or no data plane runs). */
export function invocationsOf(env: LocalAzureContext, siteId: string): InvocationRecord[] {
  return planes.get(env)?.functions.invocations.of(siteId) ?? [];
}
