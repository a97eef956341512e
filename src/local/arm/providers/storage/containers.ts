// Microsoft.Storage/storageAccounts/blobServices/containers (BlobContainers_*): PUT 201 new / 200 existing,
// GET, DELETE (200, 204 when absent), list. The storage RP's own answers where they differ from the generic
// kit: ContainerOperationFailure for bad names, ContainerNotFound, and PublicAccessNotPermitted when the
// account forbids anonymous access.
import { createHash } from 'node:crypto';
import type { LocalAzureContext } from '../../../context.ts';
import { ArmError } from '../../../http/arm-error.ts';
import type { Handler, Method, RequestContext } from '../../../http/router.ts';
import { checkResourceGroup, defineResource, fillTemplate } from '../../resource-kit.ts';
import { ACCOUNT_TEMPLATE, STORAGE_API_VERSIONS, containerNameProblem, storageInvalidBody } from './names.ts';
import { ensureBlobService } from './blob-services.ts';

export const CONTAINER_TYPE = 'Microsoft.Storage/storageAccounts/blobServices/containers';
const CONTAINER_TEMPLATE = `${ACCOUNT_TEMPLATE}/blobServices/default/containers/{containerName}`;
const PUBLIC_ACCESS = ['None', 'Blob', 'Container'];

export function registerBlobContainers(env: LocalAzureContext): void {
  // Registered before the kit's routes for the same paths, so these checks run first (the router keeps
  // registration order among equally specific templates): the missing parent is the account, not "default".
  guard(env, CONTAINER_TEMPLATE, ['GET', 'PUT', 'DELETE'], (ctx) => {
    requireAccount(env, ctx);
    const id = fillTemplate(CONTAINER_TEMPLATE, ctx.params);
    if (ctx.method === 'GET' && !env.store.get(id)) throw new ArmError(404, 'ContainerNotFound', 'The specified container does not exist.');
  });
  guard(env, CONTAINER_TEMPLATE.replace(/\/\{containerName\}$/, ''), ['GET'], (ctx) => void requireAccount(env, ctx));

  defineResource(env, {
    type: CONTAINER_TYPE,
    template: CONTAINER_TEMPLATE,
    apiVersions: STORAGE_API_VERSIONS,
    specOperation: 'BlobContainers_Create',
    nameRule: containerNameProblem,
    nameErrorCode: 'ContainerOperationFailure',
    build: (ctx, existing, body) => {
      const account = env.store.get(fillTemplate(ACCOUNT_TEMPLATE, ctx.params))!;
      const given = body.properties && typeof body.properties === 'object' ? body.properties : {};
      const publicAccess = given.publicAccess ?? 'None';
      if (!PUBLIC_ACCESS.includes(publicAccess)) {
        throw storageInvalidBody('properties.publicAccess', `The value '${String(publicAccess)}' is not one of ${PUBLIC_ACCESS.join(', ')}.`);
      }
      if (publicAccess !== 'None' && account.body.properties?.allowBlobPublicAccess !== true) {
        throw new ArmError(409, 'PublicAccessNotPermitted', 'Public access is not permitted on this storage account.');
      }
      const before = existing?.body.properties ?? {};
      const now = new Date().toISOString();
      // A PUT replaces what the caller controls; the encryption scope is fixed when the container is made.
      const properties: Record<string, any> = {
        deleted: false,
        remainingRetentionDays: 0,
        defaultEncryptionScope: before.defaultEncryptionScope ?? given.defaultEncryptionScope ?? '$account-encryption-key',
        denyEncryptionScopeOverride: before.denyEncryptionScopeOverride ?? given.denyEncryptionScopeOverride ?? false,
        publicAccess,
        leaseStatus: 'Unlocked',
        leaseState: 'Available',
        lastModifiedTime: now,
        hasImmutabilityPolicy: false,
        hasLegalHold: false,
      };
      if (given.metadata) properties.metadata = given.metadata;
      for (const k of ['immutableStorageWithVersioning', 'enableNfsV3RootSquash', 'enableNfsV3AllSquash']) {
        const v = given[k] ?? before[k];
        if (v !== undefined) properties[k] = v;
      }
      const etag = `"0x8D${createHash('sha256').update(`${ctx.params.containerName}|${now}`).digest('hex').slice(0, 13).toUpperCase()}"`;
      return { body: { etag, properties } };
    },
  });
}

/** Adds routes that check a request and then hand it to the next route registered for the same template. */
function guard(env: LocalAzureContext, template: string, methods: Method[], check: (ctx: RequestContext) => void): void {
  for (const method of methods) {
    const handler: Handler = (ctx) => {
      check(ctx);
      const next = env.router.match(ctx.path).find((m) => m.route.method === method && m.route.handler !== handler);
      if (!next) throw new ArmError(405, 'MethodNotAllowed', `The requested method '${method}' is not allowed for the resource.`);
      return next.route.handler({ ...ctx, params: next.params });
    };
    env.router.add({ method, template, apiVersions: STORAGE_API_VERSIONS, resourceType: CONTAINER_TYPE, handler });
  }
}

/** Containers need their account; ARM names the account as the missing parent. */
function requireAccount(env: LocalAzureContext, ctx: RequestContext): void {
  checkResourceGroup(env, ctx.params);
  const account = env.store.get(fillTemplate(ACCOUNT_TEMPLATE, ctx.params));
  if (!account) {
    throw new ArmError(
      404,
      'ParentResourceNotFound',
      `Can not perform requested operation on nested resource. Parent resource '${ctx.params.accountName}' not found.`,
    );
  }
  ensureBlobService(env, account);
}
