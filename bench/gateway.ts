// bench/gateway: what the local APIM gateway costs per request. One run, one load generator, three targets
// side by side: (a) the local function host directly, (b) through the local APIM gateway, (c) through an
// nginx reverse proxy (keepalive upstream, TLS verified) to the same function host; nginx is the yardstick
// for "a proxy hop done well", so (b) − (a) is read against (c) − (a).
// Run: node bench/gateway.ts [--duration 10] [--rounds 5] [--warmup 2] [--connections 10]
// Needs Debian's wrk and nginx: apt-get install -y wrk nginx (without nginx, (c) is reported unavailable).
//
// Why wrk and not autocannon: the local Azure (control plane, function host front end and gateway) runs in
// this process, on its one event loop. autocannon would share that loop (or, in worker threads, the same
// two cores with a JS HTTP client's cost); wrk is a separate C process with a small footprint, so the
// figures are the servers', not the load generator's. wrk does not verify TLS certificates: each target's
// chain is verified against the local Azure's CA by a Node request before it is loaded (see verify()).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startHarness, type LocalAzureHarness } from '../test/helpers/local-azure.ts';
import { localTarget } from '../src/azure/target.ts';
import { prepareStack } from '../src/up/stack-context.ts';
import { converge } from '../src/up/run-up.ts';
import { deployStep } from '../src/up/deploy-step.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
  },
});
const duration = Number(values.duration);
const warmup = Math.max(0, Math.round(Number(values.warmup))); // wrk takes whole seconds
const connections = Number(values.connections);
// The targets take turns (round-robin, --rounds slices of whole seconds, wrk's unit): a shared machine's
// background load then falls on all three alike instead of on whichever ran during a burst.
const rounds = Math.max(1, Math.min(Number(values.rounds), duration));
const slice = Math.max(1, Math.round(duration / rounds));
const spec = fileURLToPath(new URL('../api-spec.yml', import.meta.url));

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
}
/** One wrk run: exact counts, and its latency distribution as quantiles (µs) at 0.1 % steps. */
interface Run {
  requests: number;
  durationUs: number;
  non2xx: number;
  socketErrors: number;
  quantiles: number[];
}
/** A target's runs (its rounds) together. */
interface Result {
  requests: number;
  durationUs: number;
  non2xx: number;
  socketErrors: number;
  p50Us: number;
  p99Us: number;
}

/** A binary on PATH or in the sbin directories Debian installs daemons to (root's PATH may lack them). */
function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  return dirs.filter((d) => d.startsWith('/')).map((d) => join(d, name)).find((p) => existsSync(p));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** One request with Node's TLS verification against the local CA (servername = the URL's host). */
function get(url: string, headers: Record<string, string>, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { headers, ca, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

/** The target answers 200 with the echoed message over a verified TLS connection, or the bench stops. */
async function verify(t: Target, ca: string): Promise<void> {
  const r = await get(t.url, t.headers, ca);
  if (r.status !== 200 || !r.body.includes('bench')) throw new Error(`${t.name}: GET ${t.url} answered ${r.status} ${r.body.slice(0, 200)}`);
}

// wrk's Lua hooks: count non-2xx per thread (wrk's own counter only has status > 399) and print the
// summary as one JSON line, with the latency distribution as 999 quantiles (0.1 % … 99.9 %) and the max,
// so runs of the same target can be merged (see merge()). Latencies are in microseconds.
const WRK_SCRIPT = `
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  local q = {}
  for k = 1, 999 do q[k] = string.format("%d", latency:percentile(k / 10)) end
  q[1000] = string.format("%d", latency.max)
  io.write(string.format('WRK-RESULT {"requests":%d,"durationUs":%d,"non2xx":%d,"socketErrors":%d,"quantiles":[%s]}\\n',
    summary.requests, summary.duration, bad, e.connect + e.read + e.write + e.timeout, table.concat(q, ",")))
end
`;

/**
 * The runs of one target as one: counts add up; a percentile is read off the runs' quantiles, each
 * weighted by its run's request count (within 0.1 % of rank of the exact merged percentile).
 */
function merge(runs: Run[]): Result {
  const points = runs.flatMap((r) => r.quantiles.map((v) => ({ v, w: r.requests / r.quantiles.length }))).sort((a, b) => a.v - b.v);
  const total = points.reduce((n, p) => n + p.w, 0);
  const percentile = (p: number) => {
    let seen = 0;
    for (const x of points) if ((seen += x.w) >= (p / 100) * total) return x.v;
    return points.at(-1)?.v ?? 0;
  };
  const sum = (k: 'requests' | 'durationUs' | 'non2xx' | 'socketErrors') => runs.reduce((n, r) => n + r[k], 0);
  return { requests: sum('requests'), durationUs: sum('durationUs'), non2xx: sum('non2xx'), socketErrors: sum('socketErrors'), p50Us: percentile(50), p99Us: percentile(99) };
}

function runWrk(wrk: string, script: string, t: Target, seconds: number): Promise<Run> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', script];
  for (const [k, v] of Object.entries(t.headers)) args.push('-H', `${k}: ${v}`);
  args.push(t.url);
  return new Promise((resolve, reject) => {
    const child = spawn(wrk, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('WRK-RESULT '));
      if (code !== 0 || !line) return reject(new Error(`wrk on ${t.name} exited ${code}: ${out.trim()}`));
      resolve(JSON.parse(line.slice('WRK-RESULT '.length)));
    });
  });
}

/**
 * nginx in the foreground on a free loopback port, serving HTTPS with the local Azure's server certificate
 * and proxying to the function host over keepalive connections, verifying its certificate against the CA.
 */
async function startNginx(nginx: string, dir: string, h: LocalAzureHarness, upstream: string, hostKey: string): Promise<{ target: Target; stop: () => Promise<void> }> {
  const port = await freePort();
  const data = h.azure.dataDir;
  // mkdtemp's 0700 would keep the (unprivileged) worker out of its temp paths when nginx runs as root.
  chmodSync(dir, 0o755);
  for (const t of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, 'tmp', t), { recursive: true });
  const conf = `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  upstream functions {
    server ${upstream};
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${join(data, 'server.pem')};
    ssl_certificate_key ${join(data, 'server-key.pem')};
    location / {
      proxy_pass https://functions;
      # Keepalive upstream: HTTP/1.1 and no "Connection: close" from the proxy.
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host ${upstream};
      proxy_ssl_trusted_certificate ${h.azure.caCertPath};
      proxy_ssl_verify on;
      proxy_ssl_verify_depth 2;
      proxy_ssl_server_name on;
      # nginx checks the upstream name against the certificate's DNS names (and sends no SNI for an IP
      # literal); the local Azure's server certificate names localhost and 127.0.0.1.
      proxy_ssl_name localhost;
      proxy_ssl_session_reuse on;
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child: ChildProcess = spawn(nginx, ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  let dead = false;
  let exitCode: number | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      dead = true;
      exitCode = code;
      resolve();
    }),
  );
  const stop = async () => {
    if (!dead) child.kill('SIGQUIT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (!dead) child.kill('SIGKILL');
  };
  const target: Target = { name: 'nginx → function host', url: `https://127.0.0.1:${port}/api/getter?message=bench`, headers: { 'x-functions-key': hostKey } };
  const deadline = Date.now() + 5000;
  for (;;) {
    if (dead) throw new Error(`nginx exited (${exitCode}): ${stderr.trim() || readLog(dir) || 'no message'}`);
    try {
      await get(target.url, target.headers, h.azure.caCertPem);
      return { target, stop };
    } catch (e) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`nginx did not answer on ${port}: ${(e as Error).message} ${readLog(dir)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'error.log'), 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '';
  }
}

const wrk = findBinary('wrk');
if (!wrk) {
  console.error('bench/gateway needs wrk: apt-get install -y wrk');
  process.exit(2);
}
const nginx = findBinary('nginx');
const wrkVersion = spawnSync(wrk, ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0].replace(/ Copyright.*$/, '');
const scratch = mkdtempSync(join(tmpdir(), 'apim-fn-bench-gw-'));
const nginxDir = mkdtempSync(join(tmpdir(), 'apim-fn-bench-nginx-'));
const script = join(scratch, 'count.lua');
writeFileSync(script, WRK_SCRIPT);
// deployStep builds the bundled function in APIM_FN_CACHE (never in the repository or ~/.apim-fn).
process.env.APIM_FN_CACHE ??= join(scratch, 'cache');
const started = performance.now();
const h = await startHarness({ throttle: false });
let stopNginx: (() => Promise<void>) | undefined;
try {
  const target = localTarget({ endpoint: h.azure.endpoint, caCert: h.azure.caCertPath, subscriptionId: h.sub });
  const ctx = await prepareStack({ name: 'bench', spec, location: 'westeurope', plan: 'flex' }, () => {}, { target });
  const up = await converge(ctx, () => {});
  if (up.result.failed) throw up.result.failed.error;
  // deployStep deploys a function project in the working directory when there is one: run it where none is.
  const cwd = process.cwd();
  process.chdir(scratch);
  try {
    await deployStep(ctx, () => {}, () => {});
  } finally {
    process.chdir(cwd);
  }
  const { resourceGroup: rg, apim, functionApp } = ctx.names;
  const gatewayUrl = (await h.apim.apiManagementService.get(rg, apim)).gatewayUrl!;
  const subscriptionKey = (await h.apim.subscription.listSecrets(rg, apim, 'client')).primaryKey!;
  const fnHost = (await h.web.webApps.get(rg, functionApp)).defaultHostName!;
  const hostKey = (await h.web.webApps.listHostKeys(rg, functionApp)).functionKeys![`apim-${apim}`];
  if (!hostKey) throw new Error(`no host key apim-${apim} on ${functionApp}`);
  const setupS = (performance.now() - started) / 1000;

  const targets: Array<Target | { name: string; unavailable: string }> = [
    { name: 'function host (direct)', url: `https://${fnHost}/api/getter?message=bench`, headers: { 'x-functions-key': hostKey } },
    { name: 'APIM gateway', url: `${gatewayUrl}/example/getter?message=bench`, headers: { 'Ocp-Apim-Subscription-Key': subscriptionKey } },
  ];
  if (!nginx) targets.push({ name: 'nginx → function host', unavailable: 'nginx is not installed (apt-get install -y nginx)' });
  else {
    try {
      const n = await startNginx(nginx, nginxDir, h, fnHost, hostKey);
      stopNginx = n.stop;
      // A proxy that cannot reach the host (e.g. its upstream TLS check fails: 502) is a row, not the end.
      await verify(n.target, h.azure.caCertPem);
      targets.push(n.target);
    } catch (e) {
      await stopNginx?.();
      stopNginx = undefined;
      targets.push({ name: 'nginx → function host', unavailable: (e as Error).message.replace(/\s+/g, ' ').slice(0, 160) });
    }
  }

  const live = targets.filter((t): t is Target => !('unavailable' in t));
  for (const t of live) {
    await verify(t, h.azure.caCertPem);
    if (warmup > 0) await runWrk(wrk, script, t, warmup);
  }
  const runs = new Map<string, Run[]>(live.map((t) => [t.name, []]));
  for (let r = 0; r < rounds; r++) for (const t of live) runs.get(t.name)!.push(await runWrk(wrk, script, t, slice));

  const ms = (us: number) => `${(us / 1000).toFixed(2)} ms`;
  console.log(`GET getter?message=bench on the local Azure, ${cpus().length} cores; ${wrkVersion}, 1 thread, ${connections} connections`);
  console.log(`each target: ${warmup} s warm-up, then ${rounds} x ${slice} s, the targets taking turns; setup (local Azure, up, deploy): ${setupS.toFixed(1)} s`);
  console.log('TLS: wrk does not verify certificates; each target first answered 200 to a Node request verifying its chain against the local CA; nginx verifies the function host (proxy_ssl_verify on).');
  console.log('');
  const cols = [24, 8, 10, 10, 8, 7, 14];
  const line = (cells: string[]) => console.log(cells.map((c, i) => (i === 0 ? c.padEnd(cols[i]) : c.padStart(cols[i]))).join(' '));
  line(['target', 'req/s', 'p50', 'p99', 'non-2xx', 'errors', 'p50 vs direct']);
  let direct: Result | undefined;
  for (const t of targets) {
    if ('unavailable' in t) {
      console.log(`${t.name.padEnd(cols[0])} unavailable: ${t.unavailable}`);
      continue;
    }
    const x = merge(runs.get(t.name)!);
    direct ??= x;
    const delta = x === direct ? '' : `${x.p50Us >= direct.p50Us ? '+' : '-'}${ms(Math.abs(x.p50Us - direct.p50Us))}`;
    line([t.name, (x.requests / (x.durationUs / 1e6)).toFixed(0), ms(x.p50Us), ms(x.p99Us), String(x.non2xx), String(x.socketErrors), delta]);
  }
} finally {
  await stopNginx?.();
  await h.close();
  for (const d of [scratch, nginxDir]) rmSync(d, { recursive: true, force: true });
}
