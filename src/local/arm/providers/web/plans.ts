// Microsoft.Web/serverfarms (App Service plans), as AppServicePlans_CreateOrUpdate / Get / Delete /
// ListByResourceGroup answer in 2025-05-01: a synchronous 200 with the full plan (spec example
// CreateOrUpdateAppServicePlan.json; the SDK also accepts 202). The Functions plans are in scope: Y1 (Dynamic)
// and FC1 (FlexConsumption); other SKUs are accepted and echoed but nothing else models them.
import type { LocalAzureContext } from '../../../context.ts';
import { trackedLocation } from '../tracked-resource.ts';
import type { RequestContext } from '../../../http/router.ts';
import { keyOf, type StoredResource } from '../../../state/store.ts';
import { NO_FLEX } from '../../locations.ts';
import { defineResource, systemData } from '../../resource-kit.ts';
import { displayLocation, PLAN_TEMPLATE, PLAN_TYPE, SITE_TYPE, WEB_API_VERSIONS } from './common.ts';
import { AppServiceError } from './errors.ts';

interface SkuShape {
  tier: string;
  size: string;
  family: string;
  capacity: number;
}

/** The Functions SKUs: consumption plans report capacity 0 and compute mode Dynamic. */
const FUNCTIONS_SKUS: Record<string, SkuShape & { maxWorkers: number }> = {
  // Maximum scale-out per the hosting-plan docs: Consumption 200, Flex Consumption 1000.
  Y1: { tier: 'Dynamic', size: 'Y1', family: 'Y', capacity: 0, maxWorkers: 200 },
  FC1: { tier: 'FlexConsumption', size: 'FC1', family: 'FC', capacity: 0, maxWorkers: 1000 },
};

const PLAN_NAME = /^[A-Za-z0-9_-]{1,40}$/;

function resolveSku(body: any): SkuShape & { name: string; computeMode: string; maxWorkers: number } {
  const given = body.sku;
  if (!given || typeof given !== 'object' || typeof given.name !== 'string' || !given.name) {
    throw new AppServiceError(400, 'BadRequest', 'The parameter Sku is required for an App Service plan.');
  }
  const name = String(given.name).toUpperCase();
  const known = FUNCTIONS_SKUS[name];
  if (known) return { name, ...known, computeMode: 'Dynamic' };
  // Out of scope for the local Azure: dedicated and premium plans are stored as given.
  const family = /^[A-Z]+/.exec(name)?.[0] ?? name;
  return {
    name: given.name,
    tier: typeof given.tier === 'string' ? given.tier : family,
    size: typeof given.size === 'string' ? given.size : given.name,
    family: typeof given.family === 'string' ? given.family : family,
    capacity: Number.isInteger(given.capacity) ? given.capacity : 1,
    computeMode: name.startsWith('EP') ? 'Dynamic' : 'Dedicated',
    maxWorkers: 30,
  };
}


/** Sites whose serverFarmId names this plan. */
export function sitesOnPlan(env: LocalAzureContext, planId: string): StoredResource[] {
  const key = keyOf(planId);
  return env.store
    .all()
    .filter((r) => r.type === SITE_TYPE && typeof r.body.properties?.serverFarmId === 'string' && keyOf(r.body.properties.serverFarmId) === key);
}

function buildPlan(env: LocalAzureContext, ctx: RequestContext, existing: StoredResource | undefined, body: any) {
  const { name: planName, resourceGroupName: rg } = ctx.params;
  if (!PLAN_NAME.test(planName)) throw new AppServiceError(400, 'BadRequest', `Name ${planName} is not valid.`);
  const location = trackedLocation(body, PLAN_TYPE, existing, rg);
  const sku = resolveSku(body);
  if (sku.tier === 'FlexConsumption' && NO_FLEX.has(location)) {
    // What App Service answers for a plan in a region without the requested plan type (Azure/azure-cli#29370).
    throw new AppServiceError(400, 'BadRequest', 'Requested features are not supported in region. Please try another region.');
  }
  const was = existing?.body.sku?.tier as string | undefined;
  if (was && was !== sku.tier && [was, sku.tier].some((t) => t === 'Dynamic' || t === 'FlexConsumption')) {
    // Consumption plans cannot change kind in place (hashicorp/terraform-provider-azurerm#31348 records the answer).
    throw new AppServiceError(400, 'BadRequest', `Cannot update ServerFarm SKU from '${was}' to '${sku.tier}'.`);
  }
  const props = body.properties ?? {};
  const kind = typeof body.kind === 'string' ? body.kind : sku.computeMode === 'Dynamic' ? 'functionapp' : 'app';
  // Flex Consumption is Linux-only, so its plans are always reserved.
  const reserved = sku.tier === 'FlexConsumption' ? true : props.reserved === true;
  const out: Record<string, any> = {
    kind,
    location: displayLocation(location),
    sku: { name: sku.name, tier: sku.tier, size: sku.size, family: sku.family, capacity: sku.capacity },
    properties: {
      serverFarmId: 0,
      name: planName,
      workerSize: 'Default',
      workerSizeId: 0,
      numberOfWorkers: sku.capacity,
      currentWorkerSize: 'Default',
      currentWorkerSizeId: 0,
      currentNumberOfWorkers: sku.capacity,
      status: 'Ready',
      webSpace: `${rg}-${displayLocation(location).replace(/\s+/g, '')}webspace${reserved ? '-Linux' : ''}`,
      subscription: env.subscriptionId,
      maximumNumberOfWorkers: sku.maxWorkers,
      planName: 'VirtualDedicatedPlan',
      computeMode: sku.computeMode,
      perSiteScaling: props.perSiteScaling === true,
      elasticScaleEnabled: props.elasticScaleEnabled === true,
      maximumElasticWorkerCount: Number.isInteger(props.maximumElasticWorkerCount) ? props.maximumElasticWorkerCount : 1,
      isSpot: false,
      kind,
      resourceGroup: rg,
      reserved,
      isXenon: false,
      hyperV: false,
      targetWorkerCount: 0,
      targetWorkerSizeId: 0,
      provisioningState: 'Succeeded',
      zoneRedundant: props.zoneRedundant === true,
      asyncScalingEnabled: false,
      geoRegion: displayLocation(location),
    },
    systemData: systemData(existing),
  };
  if (body.tags) out.tags = body.tags;
  return { body: out };
}

export function registerPlans(env: LocalAzureContext): void {
  defineResource(env, {
    type: PLAN_TYPE,
    template: PLAN_TEMPLATE,
    apiVersions: WEB_API_VERSIONS,
    specOperation: 'AppServicePlans_CreateOrUpdate',
    listTemplates: ['/subscriptions/{subscriptionId}/providers/Microsoft.Web/serverfarms'],
    build: (ctx, existing, body) => buildPlan(env, ctx, existing, body),
    // The spec lists 200 and 202 for this PUT, not 201: App Service answers 200 for a new plan too.
    putReply: (_ctx, stored) => ({ status: 200, body: viewPlan(env, stored) }),
    view: (e, stored) => viewPlan(e, stored),
    deleteReply: (_ctx, stored) => {
      const sites = sitesOnPlan(env, stored.id);
      if (sites.length) {
        const names = sites.map((s) => s.body.name).join(',');
        throw new AppServiceError(409, 'Conflict', `Server farm '${stored.body.name}' cannot be deleted because it has web app(s) ${names} assigned to it.`, {
          extendedCode: '11003',
          template: "Server farm '{0}' cannot be deleted because it has web app(s) {1} assigned to it.",
          parameters: [stored.body.name, names],
        });
      }
      env.deleteResourceTree(stored.id);
      return { status: 200 };
    },
  });
}

function viewPlan(env: LocalAzureContext, stored: StoredResource): Record<string, any> {
  const body = structuredClone(stored.body);
  body.properties.numberOfSites = sitesOnPlan(env, stored.id).length;
  return body;
}
