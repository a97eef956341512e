// Reads the API's OpenAPI 3 document, checks what APIM needs from it, and fills in the collection name
// so that `servers` points at the gateway (https://apim-<collection>.azure-api.net/<path>).
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { usageError } from '../errors.ts';

export interface LoadedSpec {
  file: string;
  text: string;
  format: 'openapi' | 'openapi+json';
  doc: any;
  /** The API URL suffix, from the first server's path ("example" for .../example). */
  path: string;
  title: string;
  sha256: string;
}

const MAX_INLINE = 4 * 1024 * 1024; // APIM's cap for inline imports

export function loadSpec(file: string, collection: string, gatewayHost = `apim-${collection}.azure-api.net`): LoadedSpec {
  if (!existsSync(file)) throw usageError(`spec file not found: ${file} (pass --spec <file>)`);
  const raw = readFileSync(file, 'utf8');
  if (Buffer.byteLength(raw) > MAX_INLINE) throw usageError(`spec ${file} is over 4 MB, the API Management limit for an inline import`);
  let doc: any;
  const isJson = /^\s*\{/.test(raw);
  try {
    doc = isJson ? JSON.parse(raw) : parse(raw);
  } catch (e) {
    throw usageError(`spec ${file} is not valid ${isJson ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || typeof doc.openapi !== 'string' || !/^3\.[01]\.\d+$/.test(doc.openapi)) {
    throw usageError(`spec ${file} is not an OpenAPI 3.0/3.1 document (missing or unsupported 'openapi' version)`);
  }
  if (!doc.info?.title) throw usageError(`spec ${file} has no info.title`);
  if (!doc.paths || typeof doc.paths !== 'object' || !Object.keys(doc.paths).length) throw usageError(`spec ${file} defines no paths`);
  const first = doc.servers?.[0]?.url;
  let path = 'api';
  if (typeof first === 'string') {
    const url = first.replace(/<collection>|\{collection\}/g, collection);
    try {
      path = new URL(url).pathname.replace(/^\/+|\/+$/g, '');
    } catch {
      throw usageError(`spec ${file}: servers[0].url '${first}' is not an absolute URL`);
    }
  }
  if (path && !/^[A-Za-z0-9][A-Za-z0-9/_.-]*$/.test(path)) throw usageError(`spec ${file}: API path '${path}' has characters API Management does not allow`);
  // Servers point at the gateway: the imported API documents where it is really served.
  const filled = { ...doc, servers: [{ url: `https://${gatewayHost}/${path}` }] };
  const text = isJson ? JSON.stringify(filled, null, 2) : (raw.includes('<collection>') ? raw.replace(/<collection>/g, collection) : raw);
  return {
    file,
    text,
    format: isJson ? 'openapi+json' : 'openapi',
    doc: filled,
    path,
    title: String(doc.info.title),
    sha256: createHash('sha256').update(text).digest('hex'),
  };
}
