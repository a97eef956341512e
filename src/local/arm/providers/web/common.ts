// What the Microsoft.Web modules share: the api-version the pinned SDK sends, resource types and templates,
// region display names (App Service answers "East US", not "eastus"), key generation, and site lookup.
import { randomBytes } from 'node:crypto';
import type { LocalAzureContext } from '../../../context.ts';
import type { RequestContext, Route } from '../../../http/router.ts';
import type { StoredResource } from '../../../state/store.ts';
import { getOr404, type ResourceDef } from '../../resource-kit.ts';
import { normalizeLocation } from '../../locations.ts';

/** @azure/arm-appservice 19.0.0 sends 2025-05-01 on every operation (dist/esm/api/*: `context.apiVersion ?? "2025-05-01"`). */
export const WEB_API_VERSIONS = ['2025-05-01'] as const;

export const PLAN_TYPE = 'Microsoft.Web/serverfarms';
export const SITE_TYPE = 'Microsoft.Web/sites';
const RG_SCOPE = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Web';
export const PLAN_TEMPLATE = `${RG_SCOPE}/serverfarms/{name}`;
export const SITE_TEMPLATE = `${RG_SCOPE}/sites/{name}`;

const DISPLAY_NAMES: Record<string, string> = {
  eastus: 'East US', eastus2: 'East US 2', westus: 'West US', westus2: 'West US 2', westus3: 'West US 3',
  centralus: 'Central US', northcentralus: 'North Central US', southcentralus: 'South Central US',
  northeurope: 'North Europe', westeurope: 'West Europe', uksouth: 'UK South', ukwest: 'UK West',
  francecentral: 'France Central', germanywestcentral: 'Germany West Central', swedencentral: 'Sweden Central',
  switzerlandnorth: 'Switzerland North', norwayeast: 'Norway East', eastasia: 'East Asia',
  southeastasia: 'Southeast Asia', japaneast: 'Japan East', japanwest: 'Japan West', australiaeast: 'Australia East',
  canadacentral: 'Canada Central', brazilsouth: 'Brazil South', centralindia: 'Central India',
  koreacentral: 'Korea Central', southafricanorth: 'South Africa North', uaenorth: 'UAE North',
};

/** App Service returns a resource's location as the region's display name (spec examples: "East US"). */
export const displayLocation = (normalized: string): string => DISPLAY_NAMES[normalized] ?? normalized;

/** The normalized region of a stored Microsoft.Web resource. */
export const regionOf = (r: StoredResource): string => normalizeLocation(String(r.body.location));

/**
 * A Functions key as the platform mints them: 40 random bytes in base64url plus "==" padding, 56 characters
 * (the shape listkeys returns for generated host and function keys).
 */
export const newFunctionsKey = (): string => randomBytes(40).toString('base64url') + '==';

export function webRoute(env: LocalAzureContext, route: Omit<Route, 'apiVersions'>): void {
  env.router.add({ apiVersions: WEB_API_VERSIONS, ...route });
}

/** Minimal definition getOr404 needs to find a site (404 ResourceNotFound / ResourceGroupNotFound as ARM). */
const SITE_LOOKUP = { type: SITE_TYPE, template: SITE_TEMPLATE } as ResourceDef;

export function getSite(env: LocalAzureContext, ctx: RequestContext): StoredResource {
  return getOr404(env, SITE_LOOKUP, ctx);
}

export interface SiteSecrets {
  appSettings: Record<string, string>;
  hostKeys: { masterKey: string; functionKeys: Record<string, string>; systemKeys: Record<string, string> };
  /** Per-function keys, created when a function's keys are first listed. */
  functionKeys: Record<string, Record<string, string>>;
  publishingPassword: string;
}

export const siteSecrets = (site: StoredResource): SiteSecrets => site.secrets as SiteSecrets;

/** Plan tier of a site, as the site's properties.sku reports it ("FlexConsumption", "Dynamic", ...). */
export function planOf(env: LocalAzureContext, site: StoredResource): StoredResource | undefined {
  const id = site.body.properties?.serverFarmId;
  return typeof id === 'string' ? env.store.get(id) : undefined;
}

export const isFlexPlan = (plan: StoredResource | undefined): boolean => plan?.body.sku?.tier === 'FlexConsumption';
