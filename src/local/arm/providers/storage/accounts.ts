// Microsoft.Storage/storageAccounts (2026-09-01): create is an LRO the way the storage RP runs it (202, empty
// body, Location on .../locations/{loc}/asyncoperations/{id}?monitor=true, polls 202 then 200 with the account),
// a create on an existing, provisioned account is a synchronous update (200), and names are global.
import type { LocalAzureContext } from '../../../context.ts';
import { ArmError } from '../../../http/arm-error.ts';
import type { Reply, RequestContext } from '../../../http/router.ts';
import type { StoredResource } from '../../../state/store.ts';
import { systemData, type ResourceDef } from '../../resource-kit.ts';
import { managedIdentity, trackedLocation } from '../tracked-resource.ts';
import { accountProperties, kindOf, newKey, skuOf } from './account-shape.ts';
import { blobEndpointFor } from './endpoints.ts';
import { ACCOUNT_TEMPLATE, ACCOUNT_TYPE, STORAGE_API_VERSIONS, accountNameProblem, alreadyTakenMessage, takenElsewhere } from './names.ts';
import { ensureBlobService } from './blob-services.ts';

/** What GET returns: the stored account with the blob endpoint resolved now, so a data plane plugged in later shows up. */
export function accountView(env: LocalAzureContext, r: StoredResource): Record<string, any> {
  const props = r.body.properties ?? {};
  return { ...r.body, properties: { ...props, primaryEndpoints: { ...props.primaryEndpoints, blob: blobEndpointFor(env, r.body.name) } } };
}

export function accountDef(env: LocalAzureContext): ResourceDef {
  return {
    type: ACCOUNT_TYPE,
    template: ACCOUNT_TEMPLATE,
    apiVersions: STORAGE_API_VERSIONS,
    specOperation: 'StorageAccounts_Create',
    nameRule: accountNameProblem,
    nameErrorCode: 'AccountNameInvalid',
    // Reached when the name belongs to an account in another resource group: the local Azure is one subscription.
    globallyUnique: (name) =>
      new ArmError(409, 'StorageAccountInAnotherResourceGroup', `The account ${name} is already in another resource group in this subscription.`),
    build: (ctx, existing, body) => {
      const name = ctx.params.accountName;
      if (!existing && takenElsewhere(env, name)) throw new ArmError(409, 'StorageAccountAlreadyTaken', alreadyTakenMessage(name));
      const location = trackedLocation(body, ACCOUNT_TYPE, existing, ctx.params.resourceGroupName);
      const sku = skuOf(body, existing?.body.sku);
      const kind = kindOf(body, existing?.body.kind);
      const out: Record<string, any> = {
        sku,
        kind,
        location,
        tags: body.tags ?? existing?.body.tags ?? {},
        properties: accountProperties(existing?.body.name ?? name, location, sku, kind, body.properties, existing?.body.properties),
        systemData: systemData(existing),
      };
      const identity = managedIdentity(body.identity, existing?.body.identity, env.store.doc.tenantId);
      if (identity) out.identity = identity;
      for (const k of ['extendedLocation', 'zones', 'placement']) {
        const v = body[k] ?? existing?.body[k];
        if (v !== undefined) out[k] = v;
      }
      // Keys are made once, at create; they live in secrets and only listKeys returns them.
      const secrets = existing ? undefined : { keys: [newKey('key1'), newKey('key2')] };
      if (secrets) out.properties.keyCreationTime = { key1: secrets.keys[0].creationTime, key2: secrets.keys[1].creationTime };
      return { body: out, secrets };
    },
    putReply: (ctx, stored) => {
      ensureBlobService(env, stored);
      if (stored.body.properties.provisioningState === 'Succeeded') return { status: 200, body: accountView(env, stored) };
      return startProvisioning(env, ctx, stored);
    },
    view: accountView,
    listTemplates: ['/subscriptions/{subscriptionId}/providers/Microsoft.Storage/storageAccounts'],
    patch: (_ctx, existing, body) => {
      const sku = body.sku !== undefined ? skuOf(body, existing.body.sku) : existing.body.sku;
      const kind = body.kind !== undefined ? kindOf(body, existing.body.kind) : existing.body.kind;
      const props = accountProperties(existing.body.name, existing.body.location, sku, kind, body.properties, existing.body.properties);
      props.provisioningState = existing.body.properties.provisioningState;
      const out: Record<string, any> = { sku, kind, properties: props, systemData: systemData(existing) };
      if (body.tags !== undefined) out.tags = body.tags;
      const identity = managedIdentity(body.identity, existing.body.identity, env.store.doc.tenantId);
      if (identity) out.identity = identity;
      return { body: out };
    },
  };
}

/** New (or failed) accounts provision asynchronously: 202 with an empty body and the operation's Location. */
function startProvisioning(env: LocalAzureContext, ctx: RequestContext, stored: StoredResource): Reply {
  const op = env.lro.start(ctx, stored, 'provision');
  const location = stored.body.location;
  const url = `${env.baseUrl}/subscriptions/${env.subscriptionId}/providers/Microsoft.Storage/locations/${location}/asyncoperations/${op.id}?monitor=true&api-version=${ctx.apiVersion}`;
  const retry = env.latency.retryAfterSeconds(ACCOUNT_TYPE);
  return { status: 202, headers: { Location: url, ...(retry ? { 'Retry-After': String(retry) } : {}) } };
}

