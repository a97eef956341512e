// The storage account's POST actions and the create operation's poll URL: checkNameAvailability, listKeys,
// regenerateKey (keys live in the account's secrets, never in GET), and .../asyncoperations/{id}.
import type { LocalAzureContext } from '../../../context.ts';
import { ArmError } from '../../../http/arm-error.ts';
import type { Handler, Method } from '../../../http/router.ts';
import { getOr404, type ResourceDef } from '../../resource-kit.ts';
import { locationReply } from '../../lro.ts';
import { accountView } from './accounts.ts';
import { newKey, type StorageKey } from './account-shape.ts';
import { ACCOUNT_TEMPLATE, ACCOUNT_TYPE, STORAGE_API_VERSIONS, accountNameProblem, accountNamed, alreadyTakenMessage, storageInvalidBody, takenElsewhere } from './names.ts';

export function registerAccountActions(env: LocalAzureContext, account: ResourceDef): void {
  const add = (method: Method, template: string, resourceType: string, handler: Handler, readOnly = false) =>
    env.router.add({ method, template, apiVersions: STORAGE_API_VERSIONS, resourceType, handler, readOnly });

  // Only reads: logged and throttled as a read.
  add('POST', '/subscriptions/{subscriptionId}/providers/Microsoft.Storage/checkNameAvailability', 'Microsoft.Storage/checkNameAvailability', (ctx) => {
    const body = (ctx.body ?? {}) as Record<string, unknown>;
    if (typeof body.name !== 'string') throw storageInvalidBody('name', "Required property 'name' of type string is missing or invalid.");
    if (body.type !== ACCOUNT_TYPE) {
      throw storageInvalidBody('type', `The value '${String(body.type)}' is not valid; it must be '${ACCOUNT_TYPE}'.`);
    }
    const name = body.name;
    const invalid = accountNameProblem(name);
    if (invalid) return { status: 200, body: { nameAvailable: false, reason: 'AccountNameInvalid', message: invalid } };
    if (accountNamed(env, name) || takenElsewhere(env, name)) {
      return { status: 200, body: { nameAvailable: false, reason: 'AlreadyExists', message: alreadyTakenMessage(name) } };
    }
    return { status: 200, body: { nameAvailable: true } };
  }, true);

  add('POST', `${ACCOUNT_TEMPLATE}/listKeys`, ACCOUNT_TYPE, (ctx) => {
    const stored = getOr404(env, account, ctx);
    return { status: 200, body: { keys: keysOf(stored.secrets) } };
  }, true);

  add('POST', `${ACCOUNT_TEMPLATE}/regenerateKey`, ACCOUNT_TYPE, (ctx) => {
    const stored = getOr404(env, account, ctx);
    const keyName = (ctx.body as { keyName?: unknown } | undefined)?.keyName;
    if (typeof keyName !== 'string') throw storageInvalidBody('keyName', "Required property 'keyName' of type string is missing or invalid.");
    const keys = keysOf(stored.secrets);
    const i = keys.findIndex((k) => k.keyName.toLowerCase() === keyName.toLowerCase());
    // kerb1/kerb2 exist only on accounts joined to Active Directory for Azure Files, which the local Azure does not model.
    if (i < 0) throw new ArmError(400, 'InvalidValuesForRequestParameters', 'Values for request parameters are invalid: keyName.');
    const fresh = newKey(keys[i].keyName);
    keys[i] = fresh;
    stored.secrets = { ...stored.secrets, keys };
    stored.body.properties.keyCreationTime = { ...stored.body.properties.keyCreationTime, [fresh.keyName]: fresh.creationTime };
    env.store.markDirty();
    return { status: 200, body: { keys } };
  });

  // The Location a create hands out: 202 (empty) while it runs, then 200 with the account.
  add('GET', '/subscriptions/{subscriptionId}/providers/Microsoft.Storage/locations/{location}/asyncoperations/{operationId}', 'Microsoft.Storage/locations/asyncoperations', (ctx) => {
    const op = env.lro.get(ctx.params.operationId);
    if (!op) throw new ArmError(404, 'NotFound', `The operation '${ctx.params.operationId}' was not found.`);
    return locationReply(env, op, ACCOUNT_TYPE, () => {
      const r = env.store.doc.resources[op.resourceKey];
      if (!r) throw new ArmError(404, 'ResourceNotFound', `The Resource '${ACCOUNT_TYPE}/${op.resourceKey.split('/').pop()}' was not found.`);
      return { status: 200, body: accountView(env, r) };
    });
  }, true);
}

function keysOf(secrets: Record<string, any> | undefined): StorageKey[] {
  return Array.isArray(secrets?.keys) ? secrets.keys.map((k: StorageKey) => ({ ...k })) : [];
}
