// The pure decisions of a deploy: which plan a site is on, where its SCM site is, and whether the package
// needs uploading at all.
import { UserError } from '../errors.ts';

export type DeployPlan = 'flex' | 'consumption';

/** The plan from the site's SKU (properties.sku; arm-appservice 19 flattens it to `site.sku`). */
export function planOfSite(site: { name?: string; sku?: string; kind?: string; functionAppConfig?: unknown }): DeployPlan {
  const sku = String(site.sku ?? '').toLowerCase();
  if (sku === 'flexconsumption') return 'flex';
  if (sku === 'dynamic') {
    if (!String(site.kind ?? '').toLowerCase().includes('linux')) {
      throw new UserError(`function app ${site.name} is on Windows Consumption; apim-fn deploys to Linux Consumption and Flex Consumption apps`);
    }
    return 'consumption';
  }
  // Some older responses omit sku; functionAppConfig only exists on Flex.
  if (!sku && site.functionAppConfig) return 'flex';
  throw new UserError(`function app ${site.name} runs on the ${site.sku ?? 'unknown'} plan; apim-fn deploys to Flex Consumption and Linux Consumption apps`);
}

/**
 * The SCM (Kudu) host: the hostNameSslStates entry of type Repository, else the enabled host name with
 * ".scm." (Core Tools' AzureHelper.LoadSiteObjectAsync). Locally both are 127.0.0.1:<port>.
 */
export function scmHostOf(site: { name?: string; hostNameSslStates?: Array<{ name?: string; hostType?: string }>; enabledHostNames?: string[] }): string {
  const repo = site.hostNameSslStates?.find((h) => String(h.hostType).toLowerCase() === 'repository')?.name;
  const host = repo ?? site.enabledHostNames?.find((h) => h.includes('.scm.'));
  if (!host) throw new UserError(`function app ${site.name} reports no SCM host name (hostNameSslStates has no Repository entry)`);
  return host;
}

export interface UploadDecision {
  upload: boolean;
  reason: string;
}

/** Skip when the hash recorded after the last successful deploy equals this package's. */
export function decideUpload(o: { plan: DeployPlan; localSha: string; settings: Record<string, string | undefined>; force?: boolean; shaSetting?: string }): UploadDecision {
  const deployed = o.settings[o.shaSetting ?? 'APIM_FN_PACKAGE_SHA256'];
  if (o.force) return { upload: true, reason: 'forced' };
  if (!deployed) return { upload: true, reason: 'no package deployed by apim-fn yet' };
  if (deployed.toLowerCase() !== o.localSha.toLowerCase()) return { upload: true, reason: 'the package changed' };
  // Linux Consumption runs from the URL: without it the app has no code, whatever the hash says.
  if (o.plan === 'consumption' && !o.settings.WEBSITE_RUN_FROM_PACKAGE) return { upload: true, reason: 'WEBSITE_RUN_FROM_PACKAGE is not set' };
  return { upload: false, reason: 'unchanged (same package sha256)' };
}
