import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startHarness, fast, rawRequest, type LocalAzureHarness } from '../helpers/local-azure.ts';

let h: LocalAzureHarness;
const rg = 'rg-rbac';
const V = 'api-version=2022-04-01';
const BLOB_OWNER = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const role = (guid: string) => `/subscriptions/${h.sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
// The SDK puts {scope} into the path as given; these scopes are written without the leading "/" as in the
// SDK's samples (see the report: a leading "/" makes a "//subscriptions" URL).
const rgScope = () => `subscriptions/${h.sub}/resourceGroups/${rg}`;
const siteScope = () => `${rgScope()}/providers/Microsoft.Web/sites/func-rbac`;
let sitePrincipal = '';

before(async () => {
  h = await startHarness();
  await h.resources.resourceGroups.createOrUpdate(rg, { location: 'westeurope' });
  await h.web.appServicePlans.beginCreateOrUpdateAndWait(rg, 'plan', { location: 'westeurope', sku: { name: 'Y1', tier: 'Dynamic' }, reserved: true }, fast);
  const site = await h.web.webApps.beginCreateOrUpdateAndWait(
    rg,
    'func-rbac',
    {
      location: 'westeurope',
      kind: 'functionapp,linux',
      identity: { type: 'SystemAssigned' },
      serverFarmId: `/subscriptions/${h.sub}/resourceGroups/${rg}/providers/Microsoft.Web/serverfarms/plan`,
    },
    fast,
  );
  sitePrincipal = site.identity!.principalId!;
});
after(() => h.close());

test('role assignments: create, get, list for scope and resource group, delete', async () => {
  const name = randomUUID();
  const principal = randomUUID();
  const created = await h.authorization.roleAssignments.create(rgScope(), name, { roleDefinitionId: role(CONTRIBUTOR), principalId: principal, principalType: 'ServicePrincipal' });
  assert.equal(created.id, `/subscriptions/${h.sub}/resourceGroups/${rg}/providers/Microsoft.Authorization/roleAssignments/${name}`);
  assert.equal(created.name, name);
  assert.equal(created.type, 'Microsoft.Authorization/roleAssignments');
  assert.equal(created.scope, `/subscriptions/${h.sub}/resourceGroups/${rg}`);
  assert.equal(created.principalType, 'ServicePrincipal');
  assert.equal(created.roleDefinitionId, role(CONTRIBUTOR));

  const got = await h.authorization.roleAssignments.get(rgScope(), name);
  assert.equal(got.principalId, principal);
  const byId = await h.authorization.roleAssignments.getById(created.id!.slice(1));
  assert.equal(byId.name, name);

  const atScope: string[] = [];
  for await (const a of h.authorization.roleAssignments.listForScope(rgScope())) atScope.push(a.name!);
  assert.deepEqual(atScope, [name]);
  const forPrincipal: string[] = [];
  for await (const a of h.authorization.roleAssignments.listForResourceGroup(rg, { filter: `principalId eq '${principal}'` })) forPrincipal.push(a.name!);
  assert.deepEqual(forPrincipal, [name]);
  const other: string[] = [];
  for await (const a of h.authorization.roleAssignments.listForResourceGroup(rg, { filter: `principalId eq '${randomUUID()}'` })) other.push(a.name!);
  assert.deepEqual(other, []);

  const deleted = await h.authorization.roleAssignments.delete(rgScope(), name);
  assert.equal(deleted.name, name);
  await assert.rejects(h.authorization.roleAssignments.get(rgScope(), name), { statusCode: 404, code: 'RoleAssignmentNotFound' });
  assert.equal((await rawRequest(h.azure, 'DELETE', `/${rgScope()}/providers/Microsoft.Authorization/roleAssignments/${name}?${V}`)).status, 204);
});

test("role assignments on a resource: a managed identity needs no principalType, and goes when the resource goes", async () => {
  const name = randomUUID();
  const created = await h.authorization.roleAssignments.create(siteScope(), name, { roleDefinitionId: role(BLOB_OWNER), principalId: sitePrincipal });
  assert.equal(created.principalType, 'ServicePrincipal');
  assert.equal(created.scope, `/${siteScope()}`);

  // Listing the resource group includes assignments below it; atScope() keeps those at or above.
  const below: string[] = [];
  for await (const a of h.authorization.roleAssignments.listForScope(rgScope())) below.push(a.name!);
  assert.ok(below.includes(name));
  const atOrAbove: string[] = [];
  for await (const a of h.authorization.roleAssignments.listForScope(rgScope(), { filter: 'atScope()' })) atOrAbove.push(a.name!);
  assert.equal(atOrAbove.includes(name), false);

  // Same content under the same name is accepted again; a change of principal is not an update ARM allows.
  const again = await h.authorization.roleAssignments.create(siteScope(), name, { roleDefinitionId: role(BLOB_OWNER), principalId: sitePrincipal });
  assert.equal(again.id, created.id);
  await assert.rejects(
    h.authorization.roleAssignments.create(siteScope(), name, { roleDefinitionId: role(BLOB_OWNER), principalId: randomUUID(), principalType: 'User' }),
    { statusCode: 409, code: 'RoleAssignmentUpdateNotPermitted' },
  );
  // The same principal, role and scope under another name already exists.
  await assert.rejects(h.authorization.roleAssignments.create(siteScope(), randomUUID(), { roleDefinitionId: role(BLOB_OWNER), principalId: sitePrincipal }), {
    statusCode: 409,
    code: 'RoleAssignmentExists',
  });

  await h.web.webApps.delete(rg, 'func-rbac');
  const after: string[] = [];
  for await (const a of h.authorization.roleAssignments.listForScope(rgScope())) after.push(a.name!);
  assert.equal(after.includes(name), false);
});

test('role assignments on a storage account and on one of its blob containers', async () => {
  const account = 'strbac' + randomUUID().replace(/-/g, '').slice(0, 10);
  await h.storage.storageAccounts.beginCreateAndWait(rg, account, { location: 'westeurope', sku: { name: 'Standard_LRS' }, kind: 'StorageV2' }, fast);
  await h.storage.blobContainers.create(rg, account, 'app-package', {});
  const accountScope = `${rgScope()}/providers/Microsoft.Storage/storageAccounts/${account}`;
  const containerScope = `${accountScope}/blobServices/default/containers/app-package`;
  // The site (and with it its identity) went in the test above: the principal now needs its type spelled out.
  await assert.rejects(h.authorization.roleAssignments.create(accountScope, randomUUID(), { roleDefinitionId: role(BLOB_OWNER), principalId: sitePrincipal }), {
    code: 'PrincipalNotFound',
  });
  const onAccount = await h.authorization.roleAssignments.create(accountScope, randomUUID(), {
    roleDefinitionId: role(BLOB_OWNER),
    principalId: sitePrincipal,
    principalType: 'ServicePrincipal',
  });
  assert.equal(onAccount.scope, `/${accountScope}`);
  const onContainer = await h.authorization.roleAssignments.create(containerScope, randomUUID(), {
    roleDefinitionId: role(BLOB_OWNER),
    principalId: randomUUID(),
    principalType: 'ServicePrincipal',
  });
  assert.equal(onContainer.scope, `/${containerScope}`);
  const inherited: string[] = [];
  for await (const a of h.authorization.roleAssignments.listForScope(containerScope, { filter: 'atScope()' })) inherited.push(a.name!);
  assert.deepEqual(inherited.sort(), [onAccount.name, onContainer.name].sort());
  await h.storage.storageAccounts.delete(rg, account);
  await assert.rejects(h.authorization.roleAssignments.get(accountScope, onAccount.name!), { statusCode: 404 });
});

test('role assignment errors are the ones ARM answers', async () => {
  const props = () => ({ roleDefinitionId: role(CONTRIBUTOR), principalId: randomUUID(), principalType: 'User' as const });
  await assert.rejects(h.authorization.roleAssignments.create(rgScope(), 'not-a-guid', props()), { statusCode: 400, code: 'InvalidRoleAssignmentId' });
  await assert.rejects(h.authorization.roleAssignments.create(rgScope(), randomUUID(), { ...props(), roleDefinitionId: role(randomUUID()) }), {
    statusCode: 400,
    code: 'RoleDefinitionDoesNotExist',
  });
  await assert.rejects(h.authorization.roleAssignments.create(rgScope(), randomUUID(), { ...props(), principalId: 'someone' }), {
    statusCode: 400,
    code: 'InvalidPrincipalId',
  });
  await assert.rejects(h.authorization.roleAssignments.create(rgScope(), randomUUID(), { roleDefinitionId: role(CONTRIBUTOR), principalId: randomUUID() }), {
    statusCode: 400,
    code: 'PrincipalNotFound',
  });
  await assert.rejects(h.authorization.roleAssignments.create(`subscriptions/${h.sub}/resourceGroups/ghost`, randomUUID(), props()), {
    statusCode: 404,
    code: 'ResourceGroupNotFound',
  });
  await assert.rejects(h.authorization.roleAssignments.create(`${rgScope()}/providers/Microsoft.Storage/storageAccounts/ghost`, randomUUID(), props()), {
    statusCode: 404,
    code: 'ResourceNotFound',
  });
});

test('subscription scope, built-in role definitions, and resource group deletion', async () => {
  const name = randomUUID();
  await h.authorization.roleAssignments.create(`subscriptions/${h.sub}`, name, { roleDefinitionId: role(CONTRIBUTOR), principalId: randomUUID(), principalType: 'Group' });
  const inSub: string[] = [];
  for await (const a of h.authorization.roleAssignments.listForSubscription()) inSub.push(a.name!);
  assert.ok(inSub.includes(name));

  const def = await h.authorization.roleDefinitions.get(`subscriptions/${h.sub}`, BLOB_OWNER);
  assert.equal(def.roleName, 'Storage Blob Data Owner');
  assert.equal(def.roleType, 'BuiltInRole');
  assert.equal(def.id, role(BLOB_OWNER));
  await assert.rejects(h.authorization.roleDefinitions.get(`subscriptions/${h.sub}`, randomUUID()), { statusCode: 404, code: 'RoleDefinitionDoesNotExist' });
  const found: string[] = [];
  for await (const d of h.authorization.roleDefinitions.list(`subscriptions/${h.sub}`, { filter: "roleName eq 'Monitoring Metrics Publisher'" })) found.push(d.name!);
  assert.deepEqual(found, ['3913510d-42f4-4e42-8a64-420c390055eb']);

  const rgName = randomUUID();
  await h.authorization.roleAssignments.create(rgScope(), rgName, { roleDefinitionId: role(CONTRIBUTOR), principalId: randomUUID(), principalType: 'User' });
  await h.resources.resourceGroups.delete(rg, fast);
  const left: string[] = [];
  for await (const a of h.authorization.roleAssignments.listForSubscription()) left.push(a.name!);
  assert.deepEqual(left, [name]);
});
