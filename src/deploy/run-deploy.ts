// `apim-fn deploy`: code only, to the stack recorded in .apim-fn.json by `apim-fn up`.
import { readSettings, SETTINGS_FILE } from '../project/settings.ts';
import { createClients } from '../azure/clients.ts';
import { resolveTarget } from '../up/target.ts';
import { createOutput } from '../ui/output.ts';
import { createRenderer } from '../ui/render-events.ts';
import { UserError } from '../errors.ts';
import { deployCode } from './deploy.ts';
import { formatBytes } from './package.ts';
import { resolveProjectDir } from './project.ts';

export interface DeployOptions {
  dir?: string;
  force?: boolean;
  verbose?: boolean;
  json?: boolean;
}

export async function runDeploy(o: DeployOptions): Promise<void> {
  const out = createOutput(o);
  const settings = readSettings();
  if (!settings) throw new UserError(`no ${SETTINGS_FILE} in ${process.cwd()}: run 'apim-fn up' first (deploy sends code to the stack it created)`);
  const functionApp = settings.names?.functionApp;
  if (!functionApp || !settings.resourceGroup) throw new UserError(`${SETTINGS_FILE} names no function app: run 'apim-fn up' again`);
  // Offline checks first: a missing project fails before the local Azure is started or Azure is asked.
  const dir = resolveProjectDir(process.cwd(), o.dir);
  const target = await resolveTarget({ local: settings.target === 'local', subscription: settings.subscriptionId, localData: settings.localData }, out.info);
  const renderer = await createRenderer({ json: out.json });
  const verbose = o.verbose ? (line: string) => void (line.trim() && process.stderr.write(`  | ${line}\n`)) : undefined;
  try {
    const r = await deployCode({ clients: createClients(target), resourceGroup: settings.resourceGroup, functionApp, dir, events: renderer.event, log: verbose, force: o.force });
    renderer.stop();
    const planName = r.plan === 'flex' ? 'Flex Consumption' : 'Linux Consumption';
    out.data(
      { target: target.kind, dir, ...r },
      r.uploaded
        ? `Deployed ${formatBytes(r.bytes)} (${r.files} files) to ${functionApp} (${planName}) in ${r.seconds}s; functions: ${r.functions.join(', ')}.`
        : `Skipped: ${functionApp} already runs this package (sha256 ${r.sha256.slice(0, 12)}, ${formatBytes(r.bytes)}, ${r.files} files); checked in ${r.seconds}s. Use --force to upload anyway.`,
    );
  } finally {
    renderer.stop();
  }
}
