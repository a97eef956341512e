// The pure parts of a deploy: status mapping, hash-skip decision, plan and SCM host of a site, masking,
// and the run-from-package naming and settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentOutcome, deploymentUrl, looksLikeRbacDelay } from '../../src/deploy/one-deploy.ts';
import { decideUpload, planOfSite, scmHostOf } from '../../src/deploy/decide.ts';
import { maskPatterns, Redactor, withoutQuery } from '../../src/deploy/secrets.ts';
import { parseConnectionString, releaseBlobName, runFromPackageSettings } from '../../src/deploy/run-from-package.ts';
import { missingFunctions } from '../../src/deploy/verify.ts';
import { tolerate200 } from '../../src/deploy/deploy.ts';

test('deployment status: the body status decides (3 Failed, 4 Success, 5 Conflict, 6 PartialSuccess), anything else keeps polling', () => {
  assert.equal(deploymentOutcome(4), 'success');
  assert.equal(deploymentOutcome('4'), 'success');
  assert.equal(deploymentOutcome(3), 'failed');
  assert.equal(deploymentOutcome(5), 'conflict');
  assert.equal(deploymentOutcome(6), 'partial');
  for (const s of [-1, 0, 1, 2, undefined, null, 'x']) assert.equal(deploymentOutcome(s), 'running', String(s));
});

test('upload decision: skip only when the recorded sha256 matches (and Linux Consumption still has its package URL)', () => {
  const sha = 'ab'.repeat(32);
  assert.deepEqual(decideUpload({ plan: 'flex', localSha: sha, settings: {} }), { upload: true, reason: 'no package deployed by apim-fn yet' });
  assert.equal(decideUpload({ plan: 'flex', localSha: sha, settings: { APIM_FN_PACKAGE_SHA256: 'cd'.repeat(32) } }).reason, 'the package changed');
  assert.equal(decideUpload({ plan: 'flex', localSha: sha, settings: { APIM_FN_PACKAGE_SHA256: sha.toUpperCase() } }).upload, false);
  assert.equal(decideUpload({ plan: 'flex', localSha: sha, settings: { APIM_FN_PACKAGE_SHA256: sha }, force: true }).reason, 'forced');
  assert.equal(decideUpload({ plan: 'consumption', localSha: sha, settings: { APIM_FN_PACKAGE_SHA256: sha } }).upload, true, 'no WEBSITE_RUN_FROM_PACKAGE');
  assert.equal(decideUpload({ plan: 'consumption', localSha: sha, settings: { APIM_FN_PACKAGE_SHA256: sha, WEBSITE_RUN_FROM_PACKAGE: 'https://x/y.zip?sig=1' } }).upload, false);
});

test('plan from the site SKU; SCM host from hostNameSslStates (Repository), else the .scm. host name', () => {
  assert.equal(planOfSite({ name: 'a', sku: 'FlexConsumption' }), 'flex');
  assert.equal(planOfSite({ name: 'a', sku: 'Dynamic', kind: 'functionapp,linux' }), 'consumption');
  assert.equal(planOfSite({ name: 'a', functionAppConfig: {} }), 'flex');
  assert.throws(() => planOfSite({ name: 'a', sku: 'Dynamic', kind: 'functionapp' }), /Windows Consumption/);
  assert.throws(() => planOfSite({ name: 'a', sku: 'ElasticPremium' }), /ElasticPremium plan/);
  assert.equal(
    scmHostOf({ hostNameSslStates: [{ name: 'a.azurewebsites.net', hostType: 'Standard' }, { name: '127.0.0.1:4444', hostType: 'Repository' }] }),
    '127.0.0.1:4444',
  );
  assert.equal(scmHostOf({ enabledHostNames: ['a.azurewebsites.net', 'a.scm.azurewebsites.net'] }), 'a.scm.azurewebsites.net');
  assert.throws(() => scmHostOf({ name: 'a', enabledHostNames: ['a.azurewebsites.net'] }), /no SCM host/);
});

test('masking: SAS signatures, account keys, bearer tokens and function keys; known secret values anywhere', () => {
  const url = 'https://st.blob.core.windows.net/function-releases/x.zip?sv=2025-01-05&se=2036-01-01&sr=b&sp=r&sig=AbC%2Bdef%3D';
  const masked = maskPatterns(`upload ${url} failed`);
  assert.doesNotMatch(masked, /AbC/);
  assert.match(masked, /sp=r&sig=\*\*\*/, 'the rest of the SAS stays readable');
  assert.equal(maskPatterns('DefaultEndpointsProtocol=https;AccountName=st;AccountKey=a2V5+/=;EndpointSuffix=core.windows.net'), 'DefaultEndpointsProtocol=https;AccountName=st;AccountKey=***;EndpointSuffix=core.windows.net');
  assert.equal(maskPatterns('Authorization: Bearer eyJ0eXAi.eyJhdWQi.sig-_x'), 'Authorization: Bearer ***');
  assert.equal(maskPatterns('GET https://h/api/x?code=k3y&name=a'), 'GET https://h/api/x?code=***&name=a');
  assert.equal(maskPatterns('{"x-functions-key": "k3yvalue"}'), '{"x-functions-key": "***"}');
  const r = new Redactor();
  r.add('super-secret-token-value');
  r.add('short'); // too short to mask safely
  assert.equal(r.mask('token super-secret-token-value in a message; short stays'), 'token *** in a message; short stays');
  assert.equal(withoutQuery(url), 'https://st.blob.core.windows.net/function-releases/x.zip?***');
});

test('deployment to follow: SCM-DEPLOYMENT-ID, then Location, then the body id', () => {
  const base = 'https://127.0.0.1:9';
  assert.equal(deploymentUrl(base, { status: 202, headers: { 'scm-deployment-id': 'abc' }, text: '' }), `${base}/api/deployments/abc`);
  assert.equal(deploymentUrl(base, { status: 202, headers: { location: '/api/deployments/latest' }, text: '' }), `${base}/api/deployments/latest`);
  assert.equal(deploymentUrl(base, { status: 202, headers: { location: 'https://a.scm.azurewebsites.net/api/deployments/x' }, text: '' }), 'https://a.scm.azurewebsites.net/api/deployments/x');
  assert.equal(deploymentUrl(base, { status: 200, headers: {}, text: '{"id":"d1"}' }), `${base}/api/deployments/d1`);
  assert.equal(deploymentUrl(base, { status: 200, headers: {}, text: '' }), undefined);
  assert.equal(looksLikeRbacDelay('BlobUploadFailedException: Status: 403 (This request is not authorized to perform this operation.)'), true);
  assert.equal(looksLikeRbacDelay('npm ERR! missing script'), false);
});

test('run from package: connection strings, release blob names, merged settings', () => {
  assert.deepEqual(parseConnectionString('DefaultEndpointsProtocol=https;AccountName=st1;AccountKey=k==;EndpointSuffix=core.windows.net'), {
    accountName: 'st1',
    accountKey: 'k==',
    blobEndpoint: 'https://st1.blob.core.windows.net',
  });
  assert.equal(parseConnectionString('accountname=st1;accountkey=k;BlobEndpoint=https://127.0.0.1:10000/st1/').blobEndpoint, 'https://127.0.0.1:10000/st1');
  assert.throws(() => parseConnectionString('UseDevelopmentStorage=true'), /AccountName/);
  assert.equal(releaseBlobName('f'.repeat(64), new Date(Date.UTC(2026, 0, 2, 3, 4, 5))), `20260102030405-${'f'.repeat(64)}.zip`);
  assert.deepEqual(runFromPackageSettings({ A: '1', WEBSITE_RUN_FROM_ZIP: 'old' }, 'https://u'), { A: '1', WEBSITE_RUN_FROM_PACKAGE: 'https://u', WEBSITE_MOUNT_ENABLED: '1' });
});

test('expected functions against a listing ("app/fn" names, any case)', () => {
  assert.deepEqual(missingFunctions(['getter', 'Poster'], ['fa/getter', 'fa/poster']), []);
  assert.deepEqual(missingFunctions(['getter', 'health'], ['getter']), ['health']);
});

test('trigger sync: the 200 that ARM answers where the SDK expects 204 is success; other errors are not', async () => {
  await tolerate200(Promise.reject(Object.assign(new Error('Unexpected status code: 200'), { name: 'RestError', statusCode: 200 })));
  await assert.rejects(tolerate200(Promise.reject(Object.assign(new Error('x'), { statusCode: 500 }))), /x/);
});
