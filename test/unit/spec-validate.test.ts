// Request-body validation against Microsoft's specs: table-driven cases per operation, the extraction rules on a
// synthetic spec, and checks that the committed schema files still match what the scripts produce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateRequestBody, knownOperations, createBodyValidator, type SchemaDocument } from '../../src/local/arm/spec/validate.ts';
import { extractSchemas, locateSpecs, serialize as serializeSpec, OPERATIONS } from '../../scripts/extract-arm-schemas.ts';
import { transcribeSdkSchemas, serialize as serializeSdk, OUTPUT as SDK_OUTPUT } from '../../scripts/transcribe-sdk-schemas.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Case {
  name: string;
  op: string;
  body: unknown;
  /** Expected problems as `path: message` (exact), or [] for a valid body. */
  expect: string[];
}

const rg = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg';

const cases: Case[] = [
  // Resources
  { name: 'rg: location and tags', op: 'ResourceGroups_CreateOrUpdate', body: { location: 'westeurope', tags: { app: 'x' } }, expect: [] },
  { name: 'rg: location missing', op: 'ResourceGroups_CreateOrUpdate', body: { tags: {} }, expect: ["location: Required property 'location' not found."] },
  { name: 'rg: location null', op: 'ResourceGroups_CreateOrUpdate', body: { location: null }, expect: ["location: Required property 'location' expects a value but got null."] },
  { name: 'rg: tag value not a string', op: 'ResourceGroups_CreateOrUpdate', body: { location: 'x', tags: { n: 1 } }, expect: ["tags.n: Invalid value for 'tags.n': expected string, got number."] },
  { name: 'rg: dotted tag key path', op: 'ResourceGroups_CreateOrUpdate', body: { location: 'x', tags: { 'a.b': true } }, expect: ["tags['a.b']: Invalid value for 'tags['a.b']': expected string, got boolean."] },
  // read-only: id/name/type/properties.provisioningState are ignored, even with wrong types
  { name: 'rg: read-only props ignored', op: 'ResourceGroups_CreateOrUpdate', body: { location: 'x', id: 5, name: [], type: {}, properties: { provisioningState: 42 } }, expect: [] },
  { name: 'rg: unknown extra props allowed', op: 'ResourceGroups_CreateOrUpdate', body: { location: 'x', whatever: { deep: 1 } }, expect: [] },
  { name: 'rg: optional null is absent', op: 'ResourceGroups_CreateOrUpdate', body: { location: 'x', tags: null, managedBy: null }, expect: [] },

  // Storage
  {
    name: 'storage: SDK-shaped create',
    op: 'StorageAccounts_Create',
    body: { sku: { name: 'Standard_LRS' }, kind: 'StorageV2', location: 'westeurope', tags: {}, properties: { minimumTlsVersion: 'TLS1_2', allowBlobPublicAccess: false, accessTier: 'Hot', supportsHttpsTrafficOnly: true } },
    expect: [],
  },
  { name: 'storage: required sku, kind, location', op: 'StorageAccounts_Create', body: {}, expect: ["sku: Required property 'sku' not found.", "kind: Required property 'kind' not found.", "location: Required property 'location' not found."] },
  { name: 'storage: sku.name wrong type', op: 'StorageAccounts_Create', body: { sku: { name: 42 }, kind: 'StorageV2', location: 'x' }, expect: ["sku.name: Invalid value for 'sku.name': expected string, got number."] },
  { name: 'storage: sku.name required', op: 'StorageAccounts_Create', body: { sku: {}, kind: 'StorageV2', location: 'x' }, expect: ["sku.name: Required property 'sku.name' not found."] },
  // SkuName, Kind and MinimumTlsVersion are x-ms-enum modelAsString (extensible) in 2026-09-01
  { name: 'storage: extensible enums take any string', op: 'StorageAccounts_Create', body: { sku: { name: 'Future_ZRS' }, kind: 'StorageV3', location: 'x', properties: { minimumTlsVersion: 'TLS1_9' } }, expect: [] },
  // AccessTier is modelAsString: false (closed)
  { name: 'storage: closed enum accessTier', op: 'StorageAccounts_Create', body: { sku: { name: 'Standard_LRS' }, kind: 'StorageV2', location: 'x', properties: { accessTier: 'Lukewarm' } }, expect: ["properties.accessTier: Value 'Lukewarm' is not one of the allowed values 'Hot, Cool, Premium, Cold, Smart'."] },
  { name: 'storage: closed enum ignores case', op: 'StorageAccounts_Create', body: { sku: { name: 'Standard_LRS' }, kind: 'StorageV2', location: 'x', properties: { accessTier: 'hot' } }, expect: [] },
  { name: 'storage: boolean property', op: 'StorageAccounts_Create', body: { sku: { name: 'Standard_LRS' }, kind: 'StorageV2', location: 'x', properties: { allowBlobPublicAccess: 'no' } }, expect: ["properties.allowBlobPublicAccess: Invalid value for 'properties.allowBlobPublicAccess': expected boolean, got string."] },
  { name: 'storage: array items', op: 'StorageAccounts_Create', body: { sku: { name: 'Standard_LRS' }, kind: 'StorageV2', location: 'x', properties: { networkAcls: { defaultAction: 'Deny', ipRules: [{ value: '1.2.3.4' }, { value: 7 }] } } }, expect: ["properties.networkAcls.ipRules[1].value: Invalid value for 'properties.networkAcls.ipRules[1].value': expected string, got number."] },
  { name: 'storage: checkNameAvailability', op: 'StorageAccounts_CheckNameAvailability', body: { name: 'acct', type: 'Microsoft.Storage/storageAccounts' }, expect: [] },
  { name: 'storage: checkNameAvailability wrong type', op: 'StorageAccounts_CheckNameAvailability', body: { name: 'acct', type: 'Microsoft.Web/sites' }, expect: ["type: Value 'Microsoft.Web/sites' is not one of the allowed values 'Microsoft.Storage/storageAccounts'."] },
  { name: 'storage: container', op: 'BlobContainers_Create', body: { properties: { publicAccess: 'None', metadata: { a: 'b' } } }, expect: [] },
  { name: 'storage: container closed publicAccess', op: 'BlobContainers_Create', body: { properties: { publicAccess: 'Everyone' } }, expect: ["properties.publicAccess: Value 'Everyone' is not one of the allowed values 'Container, Blob, None'."] },
  { name: 'storage: container empty body', op: 'BlobContainers_Create', body: {}, expect: [] },

  // Log Analytics, Application Insights
  { name: 'workspace: sku', op: 'Workspaces_CreateOrUpdate', body: { location: 'x', properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 } }, expect: [] },
  { name: 'workspace: retention integer', op: 'Workspaces_CreateOrUpdate', body: { location: 'x', properties: { retentionInDays: 30.5 } }, expect: ["properties.retentionInDays: Invalid value for 'properties.retentionInDays': expected integer, got number."] },
  { name: 'workspace: closed integer enum', op: 'Workspaces_CreateOrUpdate', body: { location: 'x', properties: { sku: { name: 'CapacityReservation', capacityReservationLevel: 150 } } }, expect: ["properties.sku.capacityReservationLevel: Value '150' is not one of the allowed values '100, 200, 300, 400, 500, 1000, 2000, 5000, 10000, 25000, 50000'."] },
  { name: 'components: create', op: 'Components_CreateOrUpdate', body: { location: 'x', kind: 'web', properties: { Application_Type: 'web', WorkspaceResourceId: `${rg}/providers/Microsoft.OperationalInsights/workspaces/w` } }, expect: [] },
  { name: 'components: kind and Application_Type required', op: 'Components_CreateOrUpdate', body: { location: 'x', properties: {} }, expect: ["kind: Required property 'kind' not found.", "properties.Application_Type: Required property 'properties.Application_Type' not found."] },

  // API Management
  { name: 'apim: consumption service', op: 'ApiManagementService_CreateOrUpdate', body: { location: 'x', sku: { name: 'Consumption', capacity: 0 }, properties: { publisherEmail: 'a@b.c', publisherName: 'n' } }, expect: [] },
  {
    name: 'apim: publisher required, capacity integer',
    op: 'ApiManagementService_CreateOrUpdate',
    body: { location: 'x', sku: { name: 'Consumption', capacity: '0' }, properties: {} },
    expect: ["sku.capacity: Invalid value for 'sku.capacity': expected integer, got string.", "properties.publisherEmail: Required property 'properties.publisherEmail' not found.", "properties.publisherName: Required property 'properties.publisherName' not found."],
  },
  { name: 'apim: read-only gatewayUrl ignored', op: 'ApiManagementService_CreateOrUpdate', body: { location: 'x', sku: { name: 'Developer', capacity: 1 }, properties: { publisherEmail: 'a@b.c', publisherName: 'n', gatewayUrl: 1, provisioningState: false } }, expect: [] },
  { name: 'apim: maxLength', op: 'ApiManagementService_CreateOrUpdate', body: { location: 'x', sku: { name: 'Developer', capacity: 1 }, properties: { publisherEmail: 'a@b.c', publisherName: 'n'.repeat(101) } }, expect: ["properties.publisherName: The length of 'properties.publisherName' must be at most 100 characters; it is 101."] },
  { name: 'api: openapi import', op: 'Api_CreateOrUpdate', body: { properties: { format: 'openapi', value: 'openapi: 3.0.0', path: 'x', displayName: 'X', protocols: ['https'], subscriptionRequired: true } }, expect: [] },
  { name: 'api: extensible format', op: 'Api_CreateOrUpdate', body: { properties: { format: 'future-format', path: 'x' } }, expect: [] },
  { name: 'api: protocols array of strings', op: 'Api_CreateOrUpdate', body: { properties: { path: 'x', protocols: 'https' } }, expect: ["properties.protocols: Invalid value for 'properties.protocols': expected array, got string."] },
  { name: 'api policy: rawxml', op: 'ApiPolicy_CreateOrUpdate', body: { properties: { format: 'rawxml', value: '<policies/>' } }, expect: [] },
  { name: 'api policy: value required', op: 'ApiPolicy_CreateOrUpdate', body: { properties: { format: 'rawxml' } }, expect: ["properties.value: Required property 'properties.value' not found."] },
  { name: 'operation: required', op: 'ApiOperation_CreateOrUpdate', body: { properties: { displayName: 'Get' } }, expect: ["properties.method: Required property 'properties.method' not found.", "properties.urlTemplate: Required property 'properties.urlTemplate' not found."] },
  { name: 'named value: secret', op: 'NamedValue_CreateOrUpdate', body: { properties: { displayName: 'fn-key', value: 's3cret', secret: true } }, expect: [] },
  { name: 'named value: displayName pattern', op: 'NamedValue_CreateOrUpdate', body: { properties: { displayName: 'has space', value: 'v' } }, expect: ["properties.displayName: Value 'has space' for 'properties.displayName' does not match the pattern '^[A-Za-z0-9-._]+$'."] },
  { name: 'named value: minLength', op: 'NamedValue_CreateOrUpdate', body: { properties: { displayName: '' } }, expect: ["properties.displayName: The length of 'properties.displayName' must be at least 1 characters; it is 0.", "properties.displayName: Value '' for 'properties.displayName' does not match the pattern '^[A-Za-z0-9-._]+$'."] },
  { name: 'backend: header credentials', op: 'Backend_CreateOrUpdate', body: { properties: { url: 'https://fn.azurewebsites.net/api', protocol: 'http', credentials: { header: { 'x-functions-key': ['{{fn-key}}'] } } } }, expect: [] },
  { name: 'backend: header values are arrays', op: 'Backend_CreateOrUpdate', body: { properties: { url: 'https://x', protocol: 'http', credentials: { header: { 'x-functions-key': '{{fn-key}}' } } } }, expect: ["properties.credentials.header.x-functions-key: Invalid value for 'properties.credentials.header.x-functions-key': expected array, got string."] },
  { name: 'backend: url and protocol required', op: 'Backend_CreateOrUpdate', body: { properties: {} }, expect: ["properties.url: Required property 'properties.url' not found.", "properties.protocol: Required property 'properties.protocol' not found."] },
  { name: 'product: published', op: 'Product_CreateOrUpdate', body: { properties: { displayName: 'P', subscriptionRequired: true, state: 'published' } }, expect: [] },
  { name: 'product: closed state', op: 'Product_CreateOrUpdate', body: { properties: { displayName: 'P', state: 'live' } }, expect: ["properties.state: Value 'live' is not one of the allowed values 'notPublished, published'."] },
  { name: 'subscription: api scope', op: 'Subscription_CreateOrUpdate', body: { properties: { scope: '/apis/a', displayName: 'S', state: 'active', allowTracing: false } }, expect: [] },
  { name: 'subscription: required scope', op: 'Subscription_CreateOrUpdate', body: { properties: { displayName: 'S' } }, expect: ["properties.scope: Required property 'properties.scope' not found."] },

  // Microsoft.Web (transcribed from @azure/arm-appservice)
  {
    name: 'web: flex function app',
    op: 'WebApps_CreateOrUpdate',
    body: {
      location: 'westeurope',
      kind: 'functionapp,linux',
      identity: { type: 'SystemAssigned' },
      properties: {
        serverFarmId: `${rg}/providers/Microsoft.Web/serverfarms/p`,
        reserved: true,
        httpsOnly: true,
        siteConfig: { appSettings: [{ name: 'AzureWebJobsStorage__accountName', value: 'acct' }], minTlsVersion: '1.2' },
        functionAppConfig: {
          deployment: { storage: { type: 'blobContainer', value: 'https://acct.blob.core.windows.net/c', authentication: { type: 'SystemAssignedIdentity' } } },
          runtime: { name: 'node', version: '22' },
          scaleAndConcurrency: { instanceMemoryMB: 2048, maximumInstanceCount: 100 },
        },
      },
    },
    expect: [],
  },
  { name: 'web: location required', op: 'WebApps_CreateOrUpdate', body: { kind: 'functionapp' }, expect: ["location: Required property 'location' not found."] },
  { name: 'web: appSettings items', op: 'WebApps_CreateOrUpdate', body: { location: 'x', properties: { siteConfig: { appSettings: [{ name: 'A', value: 1 }] } } }, expect: ["properties.siteConfig.appSettings[0].value: Invalid value for 'properties.siteConfig.appSettings[0].value': expected string, got number."] },
  { name: 'web: closed identity type', op: 'WebApps_CreateOrUpdate', body: { location: 'x', identity: { type: 'Everything' } }, expect: ["identity.type: Value 'Everything' is not one of the allowed values 'SystemAssigned, UserAssigned, SystemAssigned, UserAssigned, None'."] },
  { name: 'web: extensible runtime name', op: 'WebApps_CreateOrUpdate', body: { location: 'x', properties: { functionAppConfig: { runtime: { name: 'cobol' } } } }, expect: [] },
  { name: 'web: read-only defaultHostName ignored', op: 'WebApps_CreateOrUpdate', body: { location: 'x', properties: { defaultHostName: 1, state: false } }, expect: [] },
  { name: 'plan: Y1', op: 'AppServicePlans_CreateOrUpdate', body: { location: 'x', kind: 'functionapp', sku: { name: 'Y1', tier: 'Dynamic' }, properties: { reserved: true } }, expect: [] },
  { name: 'plan: reserved boolean', op: 'AppServicePlans_CreateOrUpdate', body: { location: 'x', properties: { reserved: 'yes' } }, expect: ["properties.reserved: Invalid value for 'properties.reserved': expected boolean, got string."] },
  { name: 'appsettings: dictionary', op: 'WebApps_UpdateApplicationSettings', body: { properties: { FUNCTIONS_WORKER_RUNTIME: 'node' } }, expect: [] },
  { name: 'appsettings: values are strings', op: 'WebApps_UpdateApplicationSettings', body: { properties: { N: 3 } }, expect: ["properties.N: Invalid value for 'properties.N': expected string, got number."] },
  { name: 'host secret: name/value', op: 'WebApps_CreateOrUpdateHostSecret', body: { name: 'apim', value: 'k' }, expect: [] },
  { name: 'host secret: value string', op: 'WebApps_CreateOrUpdateHostSecret', body: { name: 'apim', value: 12 }, expect: ["value: Invalid value for 'value': expected string, got number."] },

  // Microsoft.Authorization (transcribed from @azure/arm-authorization)
  { name: 'role assignment', op: 'RoleAssignments_Create', body: { properties: { roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/x', principalId: 'p', principalType: 'ServicePrincipal' } }, expect: [] },
  { name: 'role assignment: required', op: 'RoleAssignments_Create', body: {}, expect: ["properties: Required property 'properties' not found."] },
  { name: 'role assignment: principalId', op: 'RoleAssignments_Create', body: { properties: { roleDefinitionId: 'r' } }, expect: ["properties.principalId: Required property 'properties.principalId' not found."] },

  // Unknown operations are not validated
  { name: 'unknown operation', op: 'Nope_CreateOrUpdate', body: { anything: 1 }, expect: [] },
];

for (const c of cases) {
  test(`validateRequestBody ${c.op}: ${c.name}`, () => {
    const got = validateRequestBody(c.op, c.body).map((p) => `${p.path}: ${p.message}`);
    assert.deepEqual(got, c.expect);
  });
}

test('every operation the extraction and transcription promise has a schema', () => {
  const known = knownOperations();
  for (const op of [...OPERATIONS, 'WebApps_CreateOrUpdate', 'AppServicePlans_CreateOrUpdate', 'WebApps_UpdateApplicationSettings', 'WebApps_CreateOrUpdateHostSecret', 'RoleAssignments_Create']) {
    assert.ok(known.includes(op), op);
  }
});

test('operation ids match case-insensitively, as ARM does for names', () => {
  assert.equal(validateRequestBody('resourcegroups_createorupdate', {}).length, 1);
});

const specs = locateSpecs(repoRoot);
test('schemas.json is what scripts/extract-arm-schemas.ts produces from the specs', { skip: specs ? false : 'azure-specs not found (set AZURE_SPECS_DIR)' }, () => {
  const committed = readFileSync(path.join(repoRoot, 'src/local/arm/spec/schemas.json'), 'utf8');
  assert.equal(committed, serializeSpec(extractSchemas(specs!)), 'run: node scripts/extract-arm-schemas.ts');
});

test('web-authorization.schemas.json is what scripts/transcribe-sdk-schemas.ts produces from the pinned SDKs', async () => {
  const committed = readFileSync(path.join(repoRoot, SDK_OUTPUT), 'utf8');
  assert.equal(committed, serializeSdk(await transcribeSdkSchemas()), 'run: node scripts/transcribe-sdk-schemas.ts');
});

// The extraction rules on a small synthetic spec: cross-file allOf, flatten, readOnly, closed/extensible enums,
// a recursive model and a discriminated hierarchy.
test('extraction: allOf, cross-file $ref, readOnly, enums, recursion and discriminators', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'specs-'));
  try {
    const write = (rel: string, doc: unknown) => {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), JSON.stringify(doc));
    };
    write('common-types/resource-management/v5/types.json', {
      definitions: {
        Resource: { type: 'object', properties: { id: { type: 'string', readOnly: true }, name: { type: 'string', readOnly: true } } },
        TrackedResource: { allOf: [{ $ref: '#/definitions/Resource' }], properties: { location: { type: 'string' }, tags: { type: 'object', additionalProperties: { type: 'string' } } }, required: ['location'] },
      },
    });
    const file = 'svc/resource-manager/Microsoft.Test/stable/2024-01-01/test.json';
    write(file, {
      info: { version: '2024-01-01' },
      paths: {
        '/things/{name}': {
          put: { operationId: 'Things_Create', parameters: [{ $ref: '#/parameters/Body' }] },
          get: { operationId: 'Things_Get', parameters: [] },
        },
      },
      parameters: { Body: { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/Thing' } } },
      definitions: {
        Thing: {
          allOf: [{ $ref: '../../../../../common-types/resource-management/v5/types.json#/definitions/TrackedResource' }],
          properties: { properties: { 'x-ms-client-flatten': true, $ref: '#/definitions/ThingProperties' } },
          required: ['properties'],
        },
        ThingProperties: {
          type: 'object',
          properties: {
            provisioningState: { type: 'string', readOnly: true, enum: ['Succeeded'] },
            createdOnly: { type: 'string', 'x-ms-mutability': ['read'] },
            mode: { type: 'string', enum: ['On', 'Off'], 'x-ms-enum': { name: 'Mode', modelAsString: false } },
            tier: { type: 'string', enum: ['Basic'], 'x-ms-enum': { name: 'Tier', modelAsString: true } },
            count: { type: 'integer', format: 'int32', minimum: 1 },
            when: { type: 'string', format: 'date-time-rfc7231' },
            tree: { $ref: '#/definitions/Node' },
            pet: { $ref: '#/definitions/Pet' },
          },
          required: ['provisioningState', 'mode'],
        },
        Node: { type: 'object', properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: '#/definitions/Node' } } } },
        Pet: { type: 'object', discriminator: 'petType', properties: { petType: { type: 'string', enum: ['cat', 'Dog'] } }, required: ['petType'] },
        Cat: { 'x-ms-discriminator-value': 'cat', allOf: [{ $ref: '#/definitions/Pet' }], properties: { meows: { type: 'boolean' } }, required: ['meows'] },
        Dog: { allOf: [{ $ref: '#/definitions/Pet' }], properties: { barks: { type: 'integer' } } },
      },
    });
    const doc = extractSchemas(dir, { files: [file], operations: ['Things_Create'] });
    assert.deepEqual(doc.generatedFrom.map((g) => g.path), ['common-types/resource-management/v5/types.json', file]);
    assert.deepEqual(doc.operations.Things_Create.schema, { $ref: 'test.Thing' });
    const thing = doc.definitions['test.Thing'];
    assert.deepEqual(Object.keys(thing.properties).sort(), ['location', 'properties', 'tags'], 'inherited, read-only id/name dropped');
    assert.deepEqual(thing.required.sort(), ['location', 'properties']);
    const props = doc.definitions['test.ThingProperties'];
    assert.equal(props.properties.provisioningState, undefined);
    assert.equal(props.properties.createdOnly, undefined, "x-ms-mutability ['read'] is read-only");
    assert.deepEqual(props.required, ['mode'], 'a read-only property is not required');
    assert.deepEqual(props.properties.tier, { type: 'string' }, 'extensible enum');
    assert.deepEqual(props.properties.when, { type: 'string' }, 'unknown formats dropped');
    assert.deepEqual(doc.definitions['test.Node'].properties.children.items, { $ref: 'test.Node' });
    assert.deepEqual(doc.definitions['test.Pet'].discriminator, { property: 'petType', mapping: { cat: 'test.Cat', Dog: 'test.Dog' } });
    assert.deepEqual(doc.definitions['test.Pet'].properties.petType, { type: 'string' }, 'unknown subtypes are not rejected');
    assert.deepEqual(doc.definitions['test.Cat'].required.sort(), ['meows', 'petType']);

    const v = createBodyValidator([doc as unknown as SchemaDocument]);
    const run = (body: unknown) => v('Things_Create', body).map((p) => `${p.path}: ${p.message}`);
    const base = { location: 'x', properties: { mode: 'On' } };
    assert.deepEqual(run(base), []);
    assert.deepEqual(run({ ...base, id: 1, properties: { mode: 'off', provisioningState: 5, tier: 'Ultra' } }), []);
    assert.deepEqual(run({ location: 'x', properties: { mode: 'Maybe', count: 0 } }), [
      "properties.mode: Value 'Maybe' is not one of the allowed values 'On, Off'.",
      "properties.count: Value 0 for 'properties.count' is less than the minimum 1.",
    ]);
    assert.deepEqual(run({ properties: { mode: 'On', count: 1.5 } }), [
      "location: Required property 'location' not found.",
      "properties.count: Invalid value for 'properties.count': expected integer, got number.",
    ]);
    assert.deepEqual(run({ location: 'x', properties: { mode: 'On', tree: { children: [{ children: [{ label: 3 }] }] } } }), [
      "properties.tree.children[0].children[0].label: Invalid value for 'properties.tree.children[0].children[0].label': expected string, got number.",
    ]);
    assert.deepEqual(run({ location: 'x', properties: { mode: 'On', pet: { petType: 'cat' } } }), ["properties.pet.meows: Required property 'properties.pet.meows' not found."]);
    assert.deepEqual(run({ location: 'x', properties: { mode: 'On', pet: { petType: 'Dog', barks: 'woof' } } }), [
      "properties.pet.barks: Invalid value for 'properties.pet.barks': expected integer, got string.",
    ]);
    assert.deepEqual(run({ location: 'x', properties: { mode: 'On', pet: { petType: 'Parrot', squawks: true } } }), [], 'unknown subtype validates as the base');
    assert.deepEqual(run({ location: 'x', properties: { mode: 'On', pet: {} } }), ["properties.pet.petType: Required property 'properties.pet.petType' not found."]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
