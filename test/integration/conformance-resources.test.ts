// Resource groups, as the real SDK drives them against the local Azure, conform to Microsoft's spec according to
// Microsoft's own validator (oav); and the checker does flag a pair that does not conform.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, fast, type LocalAzureHarness } from '../helpers/local-azure.ts';
import { specsDir, checkRecordedPairs, validateRecordedPairs, formatIssues, type RecordedPair } from '../helpers/oav.ts';

const skip = specsDir() ? false : 'azure-specs not found (set AZURE_SPECS_DIR)';

let h: LocalAzureHarness;
let pairs: RecordedPair[] = [];
before(async () => {
  if (skip) return;
  h = await startHarness({ recordBodies: true });
  await h.resources.resourceGroups.createOrUpdate('rg-conf', { location: 'westeurope', tags: { app: 'conformance' } });
  await h.resources.resourceGroups.createOrUpdate('rg-conf', { location: 'westeurope', tags: { app: 'again' } }); // 200 update
  await h.resources.resourceGroups.get('rg-conf');
  for await (const _ of h.resources.resourceGroups.list());
  await h.resources.resourceGroups.checkExistence('rg-conf');
  await assert.rejects(h.resources.resourceGroups.get('rg-missing'), { statusCode: 404 });
  await h.resources.resourceGroups.delete('rg-conf', fast);
  const log = await h.admin('GET', '/.local/log?bodies=1');
  assert.equal(log.status, 200);
  pairs = log.body.requests;
});
after(() => h?.close());

test('resource group create/get/list/delete traffic has no conformance errors', { skip }, async (t) => {
  const started = performance.now();
  const report = await checkRecordedPairs(pairs);
  const { oavInitMs } = await import('../helpers/oav.ts');
  t.diagnostic(`oav init ${oavInitMs?.toFixed(0)} ms, ${pairs.length} pairs checked in ${(performance.now() - started).toFixed(0)} ms`);
  assert.deepEqual(report.issues, [], formatIssues(report.issues));
  const ops = new Set(report.validated.map((v) => v.operationId));
  for (const op of ['ResourceGroups_CreateOrUpdate', 'ResourceGroups_Get', 'ResourceGroups_List', 'ResourceGroups_CheckExistence', 'ResourceGroups_Delete']) {
    assert.ok(ops.has(op), `${op} was validated (validated: ${[...ops].join(', ')})`);
  }
  // The delete LRO's polls hit /operationresults/, which the specs only match generically: skipped, not failed.
  assert.ok(report.skipped.some((s) => /operationresults/i.test(s.path)), 'LRO status polls are skipped');
});

test('the checker flags a response body of the wrong type and a malformed request body', { skip }, async () => {
  const get = pairs.find((p) => p.method === 'GET' && p.status === 200 && /\/resourcegroups\/rg-conf$/i.test(p.path));
  assert.ok(get, 'a recorded GET of the group');
  const badResponse = structuredClone(get);
  badResponse.response!.body = { ...(badResponse.response!.body as object), location: 42 };
  const put = pairs.find((p) => p.method === 'PUT' && p.status === 201)!;
  const badRequest = structuredClone(put);
  badRequest.request!.body = { location: ['westeurope'] };
  const wrongStatus = structuredClone(put);
  wrongStatus.status = 202; // ResourceGroups_CreateOrUpdate only lists 200 and 201

  const issues = await validateRecordedPairs([badResponse, badRequest, wrongStatus]);
  assert.equal(issues.length, 3, formatIssues(issues));
  const [r1, r2, r3] = issues;
  assert.equal(r1.operationId, 'ResourceGroups_Get');
  assert.ok(r1.errors.some((e) => e.code === 'INVALID_TYPE' && e.path === '/location' && e.in === 'response'), formatIssues([r1]));
  assert.equal(r2.operationId, 'ResourceGroups_CreateOrUpdate');
  assert.ok(r2.errors.some((e) => e.code === 'INVALID_TYPE' && e.path === '/location' && e.in === 'request'), formatIssues([r2]));
  assert.ok(r3.errors.some((e) => e.code === 'INVALID_RESPONSE_CODE'), formatIssues([r3]));
});
