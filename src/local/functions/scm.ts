// What a function app's SCM host serves: One Deploy (POST /api/publish, what `func azure functionapp
// publish` and `az functionapp deployment source config-zip` use for Flex Consumption), Kudu zip deploy
// (POST /api/zipdeploy), and the deployment status API. Callers authenticate with a bearer token (any
// non-empty one, like ARM here) or with the site's publishing credentials (Basic $<app>:<password>).
// Status reads answer 200 whether the deployment runs, failed or succeeded: the state is in the body.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/read-body.ts';
import type { LocalAzureContext } from '../context.ts';
import { DeploymentConflict, type FunctionHostManager } from './manager.ts';
import { findDeployment, hostState, view } from './deployments.ts';

const MAX_PACKAGE = 2 * 1024 * 1024 * 1024 - 1;

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const type = body === undefined ? {} : { 'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8' };
  res.writeHead(status, { ...type, 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}


function authenticated(env: LocalAzureContext, req: IncomingMessage, siteId: string): boolean {
  const auth = req.headers.authorization ?? '';
  if (/^Bearer\s+\S+/i.test(auth)) return true;
  const basic = /^Basic\s+(\S+)/i.exec(auth);
  if (!basic) return false;
  const [user, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
  const site = env.store.get(siteId);
  const name = String(site?.body.name ?? '');
  return !!site && user.replace(/^.*\\/, '').toLowerCase() === `$${name}`.toLowerCase() && rest.join(':') === site.secrets?.publishingPassword;
}

export function scmHandler(env: LocalAzureContext, manager: FunctionHostManager) {
  return (req: IncomingMessage, res: ServerResponse, siteId: string): void => {
    handle(env, manager, req, res, siteId).catch((e) => {
      process.stderr.write(`local azure: scm ${req.method} ${req.url}: ${(e as Error).stack}\n`);
      if (!res.headersSent) send(res, 500, { Message: 'An error has occurred.', ExceptionMessage: (e as Error).message });
    });
  };
}

async function handle(env: LocalAzureContext, manager: FunctionHostManager, req: IncomingMessage, res: ServerResponse, siteId: string): Promise<void> {
  const url = new URL(req.url ?? '/', `https://${req.headers.host ?? '127.0.0.1'}`);
  const base = `https://${req.headers.host ?? env.hosts.hostOf(siteId, 'scm')}`;
  const method = (req.method ?? 'GET').toUpperCase();
  const site = env.store.get(siteId);
  if (!site) return send(res, 404);
  if (!authenticated(env, req, siteId)) {
    req.resume();
    return send(res, 401, undefined, { 'WWW-Authenticate': 'Bearer realm="scm"' });
  }
  const path = url.pathname.replace(/\/+$/, '').toLowerCase();

  if (method === 'POST' && (path === '/api/publish' || path === '/api/zipdeploy')) {
    const onedeploy = path === '/api/publish';
    // Flex Consumption has no Kudu zip deploy: the SCM site answers 404 (One Deploy only).
    if (!onedeploy && site.body.properties?.sku === 'FlexConsumption') {
      req.resume();
      return send(res, 404);
    }
    const type = (url.searchParams.get('type') ?? 'zip').toLowerCase();
    if (onedeploy && type !== 'zip') {
      req.resume();
      return send(res, 400, `Artifact type = '${type}' not supported for a function app. Use type=zip.`);
    }
    const zip = await readBody(req, MAX_PACKAGE);
    if (!zip) throw new Error('package too large');
    if (!zip.length) return send(res, 400, 'The request body is empty: send the zip package as the body.');
    const isAsync = /^true$/i.test(url.searchParams.get('isAsync') ?? '');
    const remoteBuild = /^true$/i.test(url.searchParams.get('RemoteBuild') ?? url.searchParams.get('remoteBuild') ?? '');
    let started;
    try {
      started = manager.deploy(site, zip, {
        deployer: onedeploy ? 'OneDeploy' : (url.searchParams.get('Deployer') ?? 'ZipDeploy'),
        author: url.searchParams.get('author') ?? 'N/A',
        remoteBuild,
      });
    } catch (e) {
      if (e instanceof DeploymentConflict) return send(res, 409, e.message);
      throw e;
    }
    const { record, done } = started;
    const location = `${base}/api/deployments/${record.id}`;
    const headers = { Location: location, 'SCM-DEPLOYMENT-ID': record.id };
    if (isAsync) return send(res, 202, undefined, { ...headers, 'Retry-After': '1' });
    await done;
    const final = findDeployment(env, siteId, record.id)!;
    return final.status === 4 ? send(res, 200, undefined, headers) : send(res, 400, final.status_text, headers);
  }

  if (method !== 'GET') return send(res, 404);
  if (path === '/api/deployments') {
    return send(res, 200, hostState(env, siteId).deployments.map((d) => view(d, base)));
  }
  const one = /^\/api\/deployments\/([^/]+)(\/log)?$/.exec(path);
  if (one) {
    const record = findDeployment(env, siteId, decodeURIComponent(url.pathname.split('/')[3]));
    if (!record) return send(res, 404, { Message: `No deployment found by id ${one[1]}.` });
    return send(res, 200, one[2] ? record.log : view(record, base));
  }
  if (path === '' || path === '/') return send(res, 200, 'The local SCM site is running.');
  send(res, 404);
}
