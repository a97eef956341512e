// Microsoft.ApiManagement through the real @azure/arm-apimanagement 10 client: Consumption service LRO, OpenAPI
// import and re-import, policies, named values, backends, products, subscriptions, soft delete / purge / restore.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { startHarness, fast, rawRequest, type LocalAzureHarness } from '../helpers/local-azure.ts';
import { gatewayConfigOf } from '../../src/local/arm/providers/apim/index.ts';

let h: LocalAzureHarness;
const rg = 'rg-apim';
const svc = 'apim-fn-test';
const V = 'api-version=2024-05-01';
const base = () => `/subscriptions/${h.sub}/resourceGroups/${rg}/providers/Microsoft.ApiManagement/service`;
const consumption = { location: 'westeurope', sku: { name: 'Consumption', capacity: 0 }, publisherEmail: 'ops@example.com', publisherName: 'Ops' };

const SPEC = `openapi: 3.0.2
info:
  title: Echo API
  description: Says things back.
  version: '1.0'
servers:
  - url: http://insecure.example
  - url: https://backend.example/api
paths:
  /getter:
    get:
      parameters:
        - name: message
          in: query
          required: true
          schema: { type: string }
      responses:
        '200':
          description: The message.
          content:
            text/plain:
              schema: { type: string }
  /poster:
    post:
      requestBody:
        content:
          text/plain:
            schema: { type: string }
      responses:
        '200':
          description: Echoed.
`;
const SPEC_WITHOUT_POSTER = SPEC.slice(0, SPEC.indexOf('  /poster:'));

before(async () => {
  h = await startHarness();
  await h.resources.resourceGroups.createOrUpdate(rg, { location: 'westeurope' });
  await h.apim.apiManagementService.beginCreateOrUpdateAndWait(rg, svc, consumption, fast);
});
after(() => h.close());

test('service: Consumption create answers 201 + async headers, polls to Succeeded, gets a loopback gateway', async () => {
  const got = await h.apim.apiManagementService.get(rg, svc);
  assert.equal(got.provisioningState, 'Succeeded');
  assert.equal(got.targetProvisioningState, '');
  assert.equal(got.sku.name, 'Consumption');
  assert.equal(got.sku.capacity, 0);
  assert.equal(got.location, 'West Europe');
  assert.match(got.gatewayUrl!, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(got.developerPortalUrl, null);
  assert.equal(got.platformVersion, 'mtv1');

  // Wire level: the initial answer and its poll URL, as the RP sends them.
  const put = await rawRequest(h.azure, 'PUT', `${base()}/apim-fn-raw?${V}`, {
    location: 'westeurope',
    sku: { name: 'Consumption', capacity: 0 },
    properties: { publisherEmail: 'ops@example.com', publisherName: 'Ops' },
  });
  assert.equal(put.status, 201);
  assert.equal(put.body.properties.provisioningState, 'Activating');
  const poll = put.headers['azure-asyncoperation'];
  assert.equal(put.headers.location, poll);
  assert.match(poll, /\/service\/apim-fn-raw\/operationresults\/[^?]+\?api-version=2024-05-01&asyncResponse$/);
  const status = await rawRequest(h.azure, 'GET', poll.replace('&asyncResponse', '&asyncResponse=undefined'));
  assert.equal(status.body.status, 'Succeeded');
  const upd = await rawRequest(h.azure, 'PUT', `${base()}/apim-fn-raw?${V}`, {
    location: 'West Europe',
    sku: { name: 'Consumption', capacity: 0 },
    tags: { team: 'x' },
    properties: { publisherEmail: 'ops@example.com', publisherName: 'Ops 2' },
  });
  assert.equal(upd.status, 200);
  assert.equal(upd.body.properties.provisioningState, 'Updating');
  assert.match(upd.headers['azure-asyncoperation'], /\/operationresults\//);
  const updated = await h.apim.apiManagementService.get(rg, 'apim-fn-raw');
  assert.equal(updated.provisioningState, 'Succeeded');
  assert.equal(updated.publisherName, 'Ops 2');
  assert.equal(updated.gatewayUrl, put.body.properties.gatewayUrl);

  // Names are global; Consumption is missing in some regions.
  await h.resources.resourceGroups.createOrUpdate('rg-other', { location: 'westeurope' });
  await assert.rejects(h.apim.apiManagementService.beginCreateOrUpdate('rg-other', svc, consumption), { statusCode: 409, code: 'ServiceAlreadyExists' });
  await assert.rejects(h.apim.apiManagementService.beginCreateOrUpdate(rg, 'apim-fn-uae', { ...consumption, location: 'uaenorth' }), { statusCode: 400 });

  const master = await h.apim.subscription.listSecrets(rg, svc, 'master');
  assert.match(master.primaryKey!, /^[0-9a-f]{32}$/);
  const masterSub = await h.apim.subscription.get(rg, svc, 'master');
  assert.equal(masterSub.scope, `${base()}/${svc}/`);
  assert.equal(masterSub.primaryKey, undefined);
});

test('apis: OpenAPI import derives operations as APIM names them; re-import deletes what the spec dropped', async () => {
  const api = await h.apim.api.beginCreateOrUpdateAndWait(rg, svc, 'echo', { format: 'openapi', value: SPEC, path: 'echo' }, fast);
  assert.equal(api.displayName, 'Echo API');
  assert.equal(api.description, 'Says things back.');
  assert.equal(api.serviceUrl, 'https://backend.example/api');
  assert.deepEqual(api.protocols, ['https']);
  assert.equal(api.subscriptionRequired, true);
  assert.equal(api.apiRevision, '1');
  assert.equal(api.isCurrent, true);

  const names = async (apiId: string) => {
    const out: string[] = [];
    for await (const o of h.apim.apiOperation.listByApi(rg, svc, apiId)) out.push(o.name!);
    return out.sort();
  };
  // No operationId: method + URL template, normalized; the required query parameter is part of the template.
  assert.deepEqual(await names('echo'), ['get-getter-message-message', 'post-poster']);
  const getter = await h.apim.apiOperation.get(rg, svc, 'echo', 'get-getter-message-message');
  assert.equal(getter.method, 'GET');
  assert.equal(getter.urlTemplate, '/getter?message={message}');
  assert.equal(getter.templateParameters![0].name, 'message');
  assert.equal(getter.templateParameters![0].required, true);
  const poster = await h.apim.apiOperation.get(rg, svc, 'echo', 'post-poster');
  assert.equal(poster.request!.representations![0].contentType, 'text/plain');

  // Wire level: the import's async pattern (spec example ApiManagementCreateApiUsingOai3Import).
  const raw = await rawRequest(h.azure, 'PUT', `${base()}/${svc}/apis/echo?${V}`, { properties: { format: 'openapi', value: SPEC_WITHOUT_POSTER, path: 'echo' } });
  assert.equal(raw.status, 200);
  assert.equal(raw.body.properties.provisioningState, 'InProgress');
  assert.match(raw.headers.location, /\/apis\/echo\?api-version=2024-05-01&asyncId=[^&]+&asyncCode=200$/);
  assert.match(raw.headers['azure-asyncoperation'], /\/service\/apim-fn-test\/tenant\/operationResults\/[^?]+\?api-version=2024-05-01$/);
  assert.equal((await rawRequest(h.azure, 'GET', raw.headers['azure-asyncoperation'])).body.status, 'Succeeded');
  assert.equal((await rawRequest(h.azure, 'GET', `${base()}/${svc}/apis/echo?${V}`)).body.properties.provisioningState, undefined);
  assert.deepEqual(await names('echo'), ['get-getter-message-message']);

  // translateRequiredQueryParameters 'query' keeps the parameter in the query.
  await h.apim.api.beginCreateOrUpdateAndWait(rg, svc, 'echo-q', { format: 'openapi', value: SPEC, path: 'echo-q', translateRequiredQueryParametersConduct: 'query' }, fast);
  const q = await h.apim.apiOperation.get(rg, svc, 'echo-q', 'get-getter');
  assert.equal(q.urlTemplate, '/getter');
  assert.equal(q.request!.queryParameters![0].required, true);

  await assert.rejects(
    h.apim.api.beginCreateOrUpdateAndWait(rg, svc, 'bad', { format: 'openapi', value: 'openapi: 3.0.2\ninfo: [', path: 'bad' }, fast),
    { statusCode: 400, code: 'ValidationError' },
  );
  await assert.rejects(
    h.apim.api.beginCreateOrUpdateAndWait(rg, svc, 'bad', { format: 'openapi+json', value: '{"hello":"world"}', path: 'bad' }, fast),
    { statusCode: 400, code: 'ValidationError' },
  );
  await assert.rejects(
    h.apim.api.beginCreateOrUpdateAndWait(rg, svc, 'bad', { format: 'openapi-link', value: 'https://example.com/spec.yaml', path: 'bad' }, fast),
    { statusCode: 400, code: 'ValidationError' },
  );
  await assert.rejects(h.apim.api.beginCreateOrUpdateAndWait(rg, svc, 'dup', { format: 'openapi', value: SPEC, path: 'echo' }, fast), { statusCode: 400 });

  if (existsSync(new URL('../../api-spec.yml', import.meta.url))) {
    const text = readFileSync(new URL('../../api-spec.yml', import.meta.url), 'utf8');
    const proj = await h.apim.api.beginCreateOrUpdateAndWait(rg, svc, 'project', { format: 'openapi', value: text, path: 'project' }, fast);
    assert.ok(proj.displayName);
    assert.ok((await names('project')).length > 0);
  }

  await h.apim.api.beginDeleteAndWait(rg, svc, 'echo-q', '*', fast);
  await assert.rejects(h.apim.api.get(rg, svc, 'echo-q'), { statusCode: 404, code: 'ResourceNotFound' });
});

test('policies: rawxml keeps expressions verbatim; malformed XML and unknown named values are ValidationErrors', async () => {
  const value = `<policies>
  <inbound>
    <base />
    <set-header name="x-functions-key" exists-action="override"><value>{{fn-key}}</value></set-header>
    <set-variable name="who" value="@(context.Request.Headers.GetValueOrDefault("X-Caller", "anonymous"))" />
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>`;
  await assert.rejects(h.apim.apiPolicy.createOrUpdate(rg, svc, 'echo', 'policy', { format: 'rawxml', value }), (e: any) => {
    assert.equal(e.statusCode, 400);
    assert.equal(e.code, 'ValidationError');
    assert.match(JSON.stringify(e.details ?? e.response?.bodyAsText ?? ''), /Cannot find a property 'fn-key'/);
    return true;
  });
  await h.apim.namedValue.beginCreateOrUpdateAndWait(rg, svc, 'fn-key', { displayName: 'fn-key', value: 's3cret', secret: true }, fast);
  await h.apim.apiPolicy.createOrUpdate(rg, svc, 'echo', 'policy', { format: 'rawxml', value });
  // The SDK's policy GET deserializes with its XML serializer and loses `value` on a JSON answer, as against real
  // Azure (azure-sdk-for-js#31566), so the document is read on the wire.
  const policyUrl = `${base()}/${svc}/apis/echo/policies/policy?${V}`;
  assert.equal((await h.apim.apiPolicy.get(rg, svc, 'echo', 'policy', { format: 'rawxml' })).value, undefined);
  const raw = await rawRequest(h.azure, 'GET', `${policyUrl}&format=rawxml`);
  assert.deepEqual(raw.body.properties, { format: 'rawxml', value });
  const asXml = (await rawRequest(h.azure, 'GET', policyUrl)).body.properties;
  assert.equal(asXml.format, 'xml');
  assert.match(asXml.value, /GetValueOrDefault\(&quot;X-Caller&quot;/);
  // The same document sent as strict XML is not well-formed (the quotes end the attribute).
  await assert.rejects(h.apim.apiPolicy.createOrUpdate(rg, svc, 'echo', 'policy', { format: 'xml', value }), { statusCode: 400, code: 'ValidationError' });
  await assert.rejects(h.apim.policy.createOrUpdate(rg, svc, 'policy', { format: 'rawxml', value: '<policies><inbound></policies>' }), { statusCode: 400, code: 'ValidationError' });
  await assert.rejects(h.apim.policy.createOrUpdate(rg, svc, 'policy', { format: 'rawxml', value: '<inbound />' }), { statusCode: 400, code: 'ValidationError' });
  await h.apim.policy.createOrUpdate(rg, svc, 'policy', { format: 'xml', value: '<policies><inbound /><backend><forward-request /></backend><outbound /></policies>' });
  assert.match((await rawRequest(h.azure, 'GET', `${base()}/${svc}/policies/policy?${V}&format=rawxml`)).body.properties.value, /forward-request/);
  await h.apim.apiPolicy.delete(rg, svc, 'echo', 'policy', '*');
  await assert.rejects(h.apim.apiPolicy.get(rg, svc, 'echo', 'policy'), { statusCode: 404 });
});

test('named values: a secret never appears in GET or list; listValue returns it', async () => {
  const created = await h.apim.namedValue.beginCreateOrUpdateAndWait(rg, svc, 'secret-one', { displayName: 'secret-one', value: 'hunter2', secret: true, tags: ['a'] }, fast);
  assert.equal(created.value, undefined);
  assert.equal(created.secret, true);
  const got = await h.apim.namedValue.get(rg, svc, 'secret-one');
  assert.equal(got.value, undefined);
  for await (const nv of h.apim.namedValue.listByService(rg, svc)) assert.notEqual(nv.value, 'hunter2');
  assert.equal((await h.apim.namedValue.listValue(rg, svc, 'secret-one')).value, 'hunter2');
  await h.apim.namedValue.beginCreateOrUpdateAndWait(rg, svc, 'plain', { displayName: 'plain', value: 'visible' }, fast);
  assert.equal((await h.apim.namedValue.get(rg, svc, 'plain')).value, 'visible');
  await assert.rejects(h.apim.namedValue.beginCreateOrUpdateAndWait(rg, svc, 'other', { displayName: 'plain', value: 'x' }, fast), { statusCode: 400, code: 'ValidationError' });
  await assert.rejects(h.apim.namedValue.get(rg, svc, 'nope'), { statusCode: 404, code: 'ResourceNotFound' });
  await h.apim.namedValue.delete(rg, svc, 'plain', '*');
});

test('backends: credentials.header round-trips', async () => {
  const b = await h.apim.backend.createOrUpdate(rg, svc, 'func', {
    url: 'https://func.example/api',
    protocol: 'http',
    credentials: { header: { 'x-functions-key': ['{{fn-key}}'] } },
  });
  assert.deepEqual(b.credentials!.header, { 'x-functions-key': ['{{fn-key}}'] });
  assert.equal((await h.apim.backend.get(rg, svc, 'func')).url, 'https://func.example/api');
  await assert.rejects(h.apim.backend.createOrUpdate(rg, svc, 'bad', { url: 'not a url', protocol: 'http' }), { statusCode: 400, code: 'ValidationError' });
});

test('products and subscriptions: scope as full id, keys only through listSecrets, regeneration, product delete rules', async () => {
  const product = await h.apim.product.createOrUpdate(rg, svc, 'starter', { displayName: 'Starter', state: 'published' });
  assert.equal(product.subscriptionRequired, true);
  const linked = await h.apim.productApi.createOrUpdate(rg, svc, 'starter', 'echo');
  assert.equal(linked.displayName, 'Echo API');
  const apis: string[] = [];
  for await (const a of h.apim.productApi.listByProduct(rg, svc, 'starter')) apis.push(a.name!);
  assert.deepEqual(apis, ['echo']);

  const sub = await h.apim.subscription.createOrUpdate(rg, svc, 'client-1', { scope: '/products/starter', displayName: 'Client 1' });
  assert.equal(sub.scope, `${base()}/${svc}/products/starter`);
  assert.equal(sub.state, 'submitted');
  assert.equal(sub.primaryKey, undefined);
  const apiSub = await h.apim.subscription.createOrUpdate(rg, svc, 'client-2', { scope: '/apis/echo', displayName: 'Client 2', state: 'active' });
  assert.equal(apiSub.scope, `${base()}/${svc}/apis/echo`);
  assert.equal((await h.apim.subscription.get(rg, svc, 'client-2')).primaryKey, undefined);
  await assert.rejects(h.apim.subscription.createOrUpdate(rg, svc, 'client-3', { scope: '/products/missing', displayName: 'x' }), { statusCode: 400 });

  const before = await h.apim.subscription.listSecrets(rg, svc, 'client-1');
  assert.match(before.primaryKey!, /^[0-9a-f]{32}$/);
  assert.match(before.secondaryKey!, /^[0-9a-f]{32}$/);
  await h.apim.subscription.regeneratePrimaryKey(rg, svc, 'client-1');
  const after = await h.apim.subscription.listSecrets(rg, svc, 'client-1');
  assert.notEqual(after.primaryKey, before.primaryKey);
  assert.equal(after.secondaryKey, before.secondaryKey);

  await assert.rejects(h.apim.product.delete(rg, svc, 'starter', '*'), { statusCode: 400, code: 'ValidationError' });
  await h.apim.product.delete(rg, svc, 'starter', '*', { deleteSubscriptions: true });
  await assert.rejects(h.apim.subscription.get(rg, svc, 'client-1'), { statusCode: 404 });
  assert.equal((await h.apim.subscription.get(rg, svc, 'client-2')).state, 'active');
});

test('operation policies move to the new operation when only the operationId changes; the gateway config sees secrets', async () => {
  const spec = (id: string) => `openapi: 3.0.2\ninfo: {title: Ops, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: ${id}\n      responses: {'200': {description: ok}}\n`;
  await h.apim.api.beginCreateOrUpdateAndWait(rg, svc, 'ops', { format: 'openapi', value: spec('readX'), path: 'ops' }, fast);
  const policy = '<policies><inbound><base /><set-header name="x-op" exists-action="override"><value>read</value></set-header></inbound></policies>';
  await h.apim.apiOperationPolicy.createOrUpdate(rg, svc, 'ops', 'readx', 'policy', { format: 'rawxml', value: policy });
  await h.apim.api.beginCreateOrUpdateAndWait(rg, svc, 'ops', { format: 'openapi', value: spec('fetchX'), path: 'ops' }, fast);
  const ops: string[] = [];
  for await (const o of h.apim.apiOperation.listByApi(rg, svc, 'ops')) ops.push(o.name!);
  assert.deepEqual(ops, ['fetchx']);
  const moved = await rawRequest(h.azure, 'GET', `${base()}/${svc}/apis/ops/operations/fetchx/policies/policy?${V}&format=rawxml`);
  assert.equal(moved.body.properties.value, policy);

  const config = gatewayConfigOf(h.azure.env, `${base()}/${svc}`)!;
  assert.equal(config.sku, 'Consumption');
  const api = config.apis.find((a) => a.name === 'ops')!;
  assert.equal(api.operations[0].policy!.properties.value, policy);
  assert.equal(config.namedValues.find((n) => n.name === 'fn-key')!.properties.value, 's3cret');
  assert.match(config.subscriptions.find((s) => s.name === 'master')!.properties.primaryKey, /^[0-9a-f]{32}$/);
});

test('soft delete: the name is held until purge; restore brings the service back with its APIs', async () => {
  const name = 'apim-fn-soft';
  await h.apim.apiManagementService.beginCreateOrUpdateAndWait(rg, name, consumption, fast);
  await h.apim.api.beginCreateOrUpdateAndWait(rg, name, 'echo', { format: 'openapi', value: SPEC, path: 'echo' }, fast);
  await h.apim.apiManagementService.beginDeleteAndWait(rg, name, fast);
  await assert.rejects(h.apim.apiManagementService.get(rg, name), { statusCode: 404 });

  const deleted = await h.apim.deletedServices.getByName(name, 'westeurope');
  assert.equal(deleted.serviceId, `${base()}/${name}`);
  const purgeAt = deleted.scheduledPurgeDate!.getTime() - deleted.deletionDate!.getTime();
  assert.equal(purgeAt, 48 * 3600_000);
  const listed: string[] = [];
  for await (const d of h.apim.deletedServices.listBySubscription()) listed.push(d.name!);
  assert.ok(listed.includes(name));

  await assert.rejects(h.apim.apiManagementService.beginCreateOrUpdateAndWait(rg, name, consumption, fast), (e: any) => {
    assert.equal(e.statusCode, 409);
    assert.equal(e.code, 'ServiceAlreadyExistsInSoftDeletedState');
    assert.match(e.message, /was soft-deleted\. In order to create the new service with the same name, you have to either undelete the service or purge it/);
    return true;
  });

  const restored = await h.apim.apiManagementService.beginCreateOrUpdateAndWait(rg, name, { ...consumption, restore: true }, fast);
  assert.equal(restored.provisioningState, 'Succeeded');
  assert.equal((await h.apim.api.get(rg, name, 'echo')).displayName, 'Echo API');
  assert.equal((await h.apim.apiOperation.get(rg, name, 'echo', 'post-poster')).method, 'POST');
  assert.match((await h.apim.subscription.listSecrets(rg, name, 'master')).primaryKey!, /^[0-9a-f]{32}$/);
  await assert.rejects(h.apim.deletedServices.getByName(name, 'westeurope'), { statusCode: 404 });

  await h.apim.apiManagementService.beginDeleteAndWait(rg, name, fast);
  await h.apim.deletedServices.beginPurgeAndWait(name, 'westeurope', fast);
  await assert.rejects(h.apim.deletedServices.getByName(name, 'westeurope'), { statusCode: 404 });
  const again = await h.apim.apiManagementService.beginCreateOrUpdateAndWait(rg, name, consumption, fast);
  assert.equal(again.provisioningState, 'Succeeded');
  await assert.rejects(h.apim.api.get(rg, name, 'echo'), { statusCode: 404 });

  // Deleting the resource group soft-deletes its services too.
  await h.resources.resourceGroups.createOrUpdate('rg-gone', { location: 'westeurope' });
  await h.apim.apiManagementService.beginCreateOrUpdateAndWait('rg-gone', 'apim-fn-gone', consumption, fast);
  await h.resources.resourceGroups.delete('rg-gone', fast);
  assert.equal((await h.apim.deletedServices.getByName('apim-fn-gone', 'westeurope')).name, 'apim-fn-gone');

  // 48 hours later the soft-deleted record is gone and the name is free.
  const env = h.azure.env as any;
  env.now = () => Date.now() + 49 * 3600_000;
  try {
    await assert.rejects(h.apim.deletedServices.getByName('apim-fn-gone', 'westeurope'), { statusCode: 404 });
  } finally {
    delete env.now;
  }
  await h.resources.resourceGroups.createOrUpdate('rg-gone', { location: 'westeurope' });
  assert.equal((await h.apim.apiManagementService.beginCreateOrUpdateAndWait('rg-gone', 'apim-fn-gone', consumption, fast)).provisioningState, 'Succeeded');
});
