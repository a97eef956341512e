// `apim-fn up`: validate everything locally, resolve the target, observe, plan, and converge the stack.
import { resolve } from 'node:path';
import { deriveNames, type NameOverrides } from '../model/names.ts';
import { desiredStack, type HostingPlan } from '../model/stack.ts';
import { loadSpec } from '../spec/load-spec.ts';
import { createClients } from '../azure/clients.ts';
import { stackProviders } from '../azure/providers/index.ts';
import { observeAll, planChanges, applyPlan } from '../engine/plan.ts';
import { createRenderer, describeChange } from '../ui/render-events.ts';
import { createOutput } from '../ui/output.ts';
import { readSettings, writeSettings } from '../project/settings.ts';
import { resolveTarget } from './target.ts';
import { publisherFromCredential } from './publisher.ts';
import { UserError, usageError } from '../errors.ts';
import { isKnownRegion } from './regions.ts';

export interface UpOptions {
  overrides: NameOverrides;
  name?: string;
  local?: boolean;
  localData?: string;
  subscription?: string;
  location: string;
  plan: HostingPlan;
  spec: string;
  publisherEmail?: string;
  publisherName?: string;
  dryRun?: boolean;
  json?: boolean;
}

export async function runUp(o: UpOptions): Promise<void> {
  const out = createOutput(o);
  const previous = readSettings();
  const collection = o.name ?? previous?.name;
  if (!collection) throw usageError("missing --name <collection> (it names every resource, e.g. 'apim-fn up --name demo')");
  if (!isKnownRegion(o.location)) throw usageError(`unknown --location '${o.location}' (e.g. westeurope, eastus, swedencentral)`);
  if (o.publisherEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(o.publisherEmail)) throw usageError(`invalid --publisher-email '${o.publisherEmail}'`);
  // Everything that can be checked offline is checked before the first request.
  const spec = loadSpec(resolve(o.spec), collection);
  deriveNames(collection, o.overrides);

  const target = await resolveTarget({ local: o.local ?? previous?.target === 'local', subscription: o.subscription, localData: o.localData ?? previous?.localData }, out.info);
  const publisher = o.publisherEmail
    ? { email: o.publisherEmail, name: o.publisherName ?? o.publisherEmail.split('@')[0] }
    : await publisherFromCredential(target, o.publisherName);
  const stack = desiredStack({
    names: deriveNames(collection, o.overrides, target.kind === 'local' ? '' : target.subscriptionId),
    subscriptionId: target.subscriptionId,
    location: o.location.toLowerCase().replace(/\s+/g, ''),
    plan: o.plan,
    publisherEmail: publisher.email,
    publisherName: publisher.name,
    spec,
  });
  const clients = createClients(target);
  const providers = stackProviders(clients);
  const renderer = await createRenderer({ json: out.json });
  const started = Date.now();
  try {
    const observation = await observeAll(stack, providers, renderer.event);
    const plan = planChanges(stack, providers, observation);
    if (o.dryRun) {
      renderer.stop();
      out.data({ dryRun: true, target: target.kind, subscriptionId: target.subscriptionId, changes: plan }, ['Plan (nothing was changed):', ...plan.map(describeChange)].join('\n'));
      return;
    }
    const result = await applyPlan(stack, providers, observation, renderer.event);
    renderer.stop();
    if (result.failed) {
      const e = result.failed.error;
      throw e instanceof UserError ? e : new UserError(`${result.failed.label}: ${e.message}`);
    }
    const gatewayUrl = result.outputs.apim?.gatewayUrl as string | undefined;
    const stackNames = Object.fromEntries(Object.entries(deriveNames(collection, o.overrides, target.kind === 'local' ? '' : target.subscriptionId)));
    writeSettings({
      name: collection,
      target: target.kind,
      subscriptionId: target.subscriptionId,
      resourceGroup: stackNames.resourceGroup,
      location: o.location,
      plan: o.plan,
      names: stackNames,
      spec: o.spec,
      ...(target.localData ? { localData: target.localData } : {}),
    });
    const summary = {
      target: target.kind,
      subscriptionId: target.subscriptionId,
      resourceGroup: stackNames.resourceGroup,
      gatewayUrl,
      apiUrl: gatewayUrl ? `${gatewayUrl}/${spec.path}` : undefined,
      docsUrl: gatewayUrl ? `${gatewayUrl}/public/docs` : undefined,
      functionAppUrl: result.outputs.functionApp?.host ? `https://${result.outputs.functionApp.host}` : undefined,
      changes: result.changes,
      codeDeployed: false,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    const writes = result.changes.filter((c) => c.action !== 'unchanged').length;
    out.data(
      summary,
      [
        `Done in ${summary.seconds}s: ${writes ? `${writes} resource(s) created or updated` : 'everything was already up to date'}.`,
        `  API        ${summary.apiUrl}`,
        `  Docs       ${summary.docsUrl}`,
        `  Functions  ${summary.functionAppUrl}`,
        'No function code was deployed: the deploy step is not built yet, so calls reach an empty function app.',
        'Next: apim-fn keys    (subscription keys)',
      ].join('\n'),
    );
  } finally {
    renderer.stop();
  }
}
