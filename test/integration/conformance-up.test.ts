// The whole of `up`'s traffic (every request the real SDKs send and every answer of the local Azure),
// validated by Microsoft's own validator (oav) against Microsoft's published specs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startHarness } from '../helpers/local-azure.ts';
import { checkRecordedPairs, specsDir, formatIssues } from '../helpers/oav.ts';
import { localTarget } from '../../src/azure/target.ts';
import { prepareStack } from '../../src/up/stack-context.ts';
import { converge } from '../../src/up/run-up.ts';

const spec = fileURLToPath(new URL('../../api-spec.yml', import.meta.url));

test('up on the local Azure: every request and response in the specs validates', { skip: specsDir() ? false : 'azure-specs not found (set AZURE_SPECS_DIR)', timeout: 120_000 }, async () => {
  const h = await startHarness({ recordBodies: true, throttle: false });
  try {
    const target = localTarget({ endpoint: h.azure.endpoint, caCert: h.azure.caCertPath, subscriptionId: h.sub });
    const ctx = await prepareStack({ name: 'conform', spec, location: 'westeurope', plan: 'flex' }, () => {}, { target });
    const first = await converge(ctx, () => {});
    assert.equal(first.result.failed, undefined);
    await converge(await prepareStack({ name: 'conform', spec, location: 'westeurope', plan: 'flex' }, () => {}, { target }), () => {});
    const log = await h.admin('GET', '/.local/log?bodies=1');
    const report = await checkRecordedPairs(log.body.requests);
    assert.deepEqual(report.issues, [], formatIssues(report.issues));
    const ops = new Set(report.validated.map((v) => v.operationId));
    for (const op of [
      'ResourceGroups_CreateOrUpdate',
      'StorageAccounts_Create',
      'StorageAccounts_GetProperties',
      'BlobContainers_Create',
      'Components_CreateOrUpdate',
      'ApiManagementService_CreateOrUpdate',
      'ApiManagementService_Get',
      'NamedValue_CreateOrUpdate',
      'NamedValue_ListValue',
      'Backend_CreateOrUpdate',
      'Api_CreateOrUpdate',
      'ApiPolicy_CreateOrUpdate',
      'Product_CreateOrUpdate',
      'Subscription_CreateOrUpdate',
    ]) {
      assert.ok(ops.has(op), `${op} was validated (validated: ${[...ops].join(', ')})`);
    }
  } finally {
    await h.close();
  }
});
