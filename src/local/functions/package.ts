// Deployment packages: a zip is unpacked into its own folder (one per deployment, so the running worker's
// files never change under it) and checked the way the host would find out at start: host.json at the root,
// and a package.json whose "main" names the entry points.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import https from 'node:https';
import tls from 'node:tls';
import { unzipSync } from 'fflate';

export class PackageError extends Error {}

/** Unpacks a zip into `dir` (replacing it). Rejects entries that would land outside it. */
export function unpack(zip: Uint8Array, dir: string): number {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch (e) {
    throw new PackageError(`The package is not a valid zip file: ${(e as Error).message}`);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let count = 0;
  for (const [name, data] of Object.entries(files)) {
    const target = normalize(join(dir, name));
    if (!target.startsWith(normalize(dir) + sep)) throw new PackageError(`The package has an entry outside its root: ${name}`);
    if (name.endsWith('/')) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
    count++;
  }
  return count;
}

export interface AppInfo {
  routePrefix: string;
  extensionBundle?: { id?: string; version?: string };
}

/** Reads host.json (and checks package.json) of an unpacked app; throws PackageError with what is wrong. */
export function inspectApp(dir: string): AppInfo {
  let host: any;
  try {
    host = JSON.parse(readFileSync(join(dir, 'host.json'), 'utf8'));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new PackageError(
      missing
        ? 'host.json was not found at the root of the package. A function app package must contain host.json in its root folder.'
        : `host.json is not valid JSON: ${(e as Error).message}`,
    );
  }
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (typeof pkg.main !== 'string' || !pkg.main) throw new PackageError('package.json has no "main" entry point; the Node.js worker loads its functions from it.');
  } catch (e) {
    if (e instanceof PackageError) throw e;
    throw new PackageError(`package.json could not be read: ${(e as Error).message}`);
  }
  const prefix = host?.extensions?.http?.routePrefix;
  return { routePrefix: typeof prefix === 'string' ? prefix : 'api', extensionBundle: host?.extensionBundle };
}

/** GETs a package URL (WEBSITE_RUN_FROM_PACKAGE), trusting the local Azure's CA besides the system's. */
export function download(url: string, ca: string, limit = 1024 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca: [...tls.rootCertificates, ca] }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new PackageError(`Downloading the package failed: HTTP ${res.statusCode} from ${new URL(url).origin}${new URL(url).pathname}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) req.destroy(new PackageError('The package is larger than 1 GB.'));
        else chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    req.on('error', (e) => reject(e instanceof PackageError ? e : new PackageError(`Downloading the package failed: ${e.message}`)));
  });
}
