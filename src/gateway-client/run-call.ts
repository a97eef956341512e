// `apim-fn call <operation>`: resolve the operation from the imported API, check the parameters against
// it, call it through the gateway with a subscription key, print status and body. Exit 1 on HTTP >= 400.
import https from 'node:https';
import { readFileSync, existsSync } from 'node:fs';
import { createOutput } from '../ui/output.ts';
import { openProject, listSubscriptionKeys } from './project.ts';
import { resolveOperation, buildCallPath, bodyFor, parseParamFlags, maskKey, type OperationContract } from './operation.ts';
import { armError } from '../azure/arm-errors.ts';
import { UserError, usageError } from '../errors.ts';
import { importedApiId } from './api-id.ts';

export interface CallOptions {
  name?: string;
  api?: string;
  data?: string;
  header?: string[];
  key?: string;
  raw?: boolean;
  json?: boolean;
  verbose?: boolean;
}

export async function runCall(operation: string, rest: string[], o: CallOptions): Promise<void> {
  const out = createOutput(o);
  const params = parseParamFlags(rest);
  const headers: Record<string, string> = {};
  for (const h of o.header ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw usageError(`--header takes name:value, got '${h}'`);
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  let data = o.data;
  if (data?.startsWith('@')) {
    const file = data.slice(1);
    if (!existsSync(file)) throw usageError(`--data file not found: ${file}`);
    data = readFileSync(file, 'utf8');
  }

  const p = await openProject(o, out.info);
  const apim = await p.clients.apim();
  const { resourceGroup, apim: svc } = p.settings;
  const apiId = o.api ?? importedApiId();
  let api: any;
  const ops: OperationContract[] = [];
  try {
    const [service, apiContract] = await Promise.all([apim.apiManagementService.get(resourceGroup, svc), apim.api.get(resourceGroup, svc, apiId)]);
    api = { ...apiContract, gatewayUrl: service.gatewayUrl };
    for await (const op of apim.apiOperation.listByApi(resourceGroup, svc, apiId)) ops.push(op as unknown as OperationContract);
  } catch (e) {
    if ((e as any)?.statusCode === 404) throw new UserError(`API '${apiId}' not found in ${svc}: run 'apim-fn up' first`);
    throw armError(`reading API ${apiId}`, e);
  }
  const op = resolveOperation(ops, operation);
  const path = buildCallPath(op, params);
  const { contentType, body } = bodyFor(op, data);
  if (body !== undefined && /^(GET|HEAD|OPTIONS)$/i.test(op.method)) throw usageError(`${op.name} is ${op.method}: it takes no --data`);

  const key = await chooseKey(p, o.key);
  const url = new URL(`${api.gatewayUrl}/${api.path ? `${api.path}` : ''}${path}`.replace(/([^:])\/{2,}/g, '$1/'));
  const reqHeaders: Record<string, string> = { accept: 'application/json, text/plain, */*', ...headers, 'ocp-apim-subscription-key': key };
  if (contentType) reqHeaders['content-type'] = contentType;
  if (o.verbose) {
    out.info(`> ${op.method} ${url}`);
    for (const [k, v] of Object.entries(reqHeaders)) out.info(`> ${k}: ${k === 'ocp-apim-subscription-key' ? maskKey(v) : v}`);
  }
  const res = await send(url, op.method, reqHeaders, body, p.clients.target.ca);
  if (o.verbose) for (const [k, v] of Object.entries(res.headers)) out.info(`< ${k}: ${v}`);
  const isJson = /json/i.test(String(res.headers['content-type'] ?? ''));
  let parsed: unknown = res.body;
  if (isJson) {
    try {
      parsed = JSON.parse(res.body);
    } catch {
      /* not really JSON */
    }
  }
  if (o.json) out.data({ operation: op.name, method: op.method, url: url.toString(), status: res.status, headers: o.verbose ? res.headers : undefined, body: parsed });
  else if (o.raw) process.stdout.write(res.body);
  else out.data(parsed, `${res.status} ${res.statusText}\n${isJson && typeof parsed === 'object' ? JSON.stringify(parsed, null, 2) : res.body}`);
  if (res.status >= 400) process.exitCode = 1;
}

async function chooseKey(p: Awaited<ReturnType<typeof openProject>>, wanted?: string): Promise<string> {
  if (wanted && !/^(admin|client)$/.test(wanted) && wanted.length >= 16) return wanted;
  const subs = await listSubscriptionKeys(p);
  const pick = wanted ? subs.find((s) => s.name === wanted) : subs.find((s) => s.state === 'active');
  if (!pick?.primaryKey) throw new UserError(wanted ? `no subscription '${wanted}' with a key (see 'apim-fn keys')` : "no active subscription: run 'apim-fn up' (it creates admin and client)");
  return pick.primaryKey;
}

function send(url: URL, method: string, headers: Record<string, string>, body: string | undefined, ca?: string) {
  return new Promise<{ status: number; statusText: string; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = https.request(url, { method, headers: body !== undefined ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers, ...(ca ? { ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', (e) => reject(new UserError(`calling ${url.origin}: ${e.message}`)));
    req.end(body);
  });
}
