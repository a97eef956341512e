import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validatePolicyXml } from '../../src/local/gateway/policies.ts';
import type { NamedValueContract } from '../../src/local/gateway/model.ts';

const nv = (displayName: string, value: string, secret = false): NamedValueContract => ({ name: displayName.toLowerCase(), properties: { displayName, value, secret } });
const NAMED = [nv('function-app-key', 'sup3r-s3cret-value', true), nv('Calls', '5'), nv('BadCalls', 'five', true)];
const wrap = (inbound: string, rest = '<backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error>') => `<policies><inbound><base />${inbound}</inbound>${rest}</policies>`;

test('validatePolicyXml accepts documents made of emulated policies', () => {
  const good = [
    wrap(''),
    '<policies><inbound /><backend><forward-request timeout="20" /></backend><outbound /><on-error /></policies>',
    wrap('<set-backend-service backend-id="func" /><set-header name="x-functions-key" exists-action="override"><value>{{function-app-key}}</value></set-header>'),
    wrap('<set-query-parameter name="code" exists-action="delete" /><rewrite-uri template="/api/{id}?x=1" copy-unmatched-params="false" />'),
    wrap('<check-header name="X-Tenant" failed-check-httpcode="403" failed-check-error-message="No tenant" ignore-case="true"><value>a</value><value>b</value></check-header>'),
    wrap('<rate-limit calls="{{Calls}}" renewal-period="60" remaining-calls-header-name="x-remaining"><api name="echo" calls="2" renewal-period="10"><operation name="get" calls="1" renewal-period="5" /></api></rate-limit>'),
    wrap('<ip-filter action="allow"><address>10.0.0.1</address><address-range from="10.1.0.0" to="10.1.255.255" /></ip-filter>'),
    wrap('<validate-jwt header-name="Authorization" require-scheme="Bearer" failed-validation-httpcode="401" failed-validation-error-message="Unauthorized"><issuer-signing-keys><key>c2VjcmV0LWtleS0xMjM=</key><key id="r1" n="AQAB" e="AQAB" /></issuer-signing-keys><audiences><audience>api://x</audience></audiences><issuers><issuer>https://issuer</issuer></issuers><required-claims><claim name="roles" match="any" separator=","><value>admin</value></claim></required-claims></validate-jwt>'),
    wrap('<cors allow-credentials="true" terminate-unmatched-request="false"><allowed-origins><origin>https://app.test</origin></allowed-origins><allowed-methods preflight-result-max-age="300"><method>GET</method></allowed-methods><allowed-headers><header>*</header></allowed-headers><expose-headers><header>x-a</header></expose-headers></cors>'),
    wrap('<mock-response status-code="200" content-type="application/json" />'),
    wrap('<return-response><set-status code="418" reason="Teapot" /><set-header name="x" exists-action="override"><value>1</value></set-header><set-body>{"a":1}</set-body></return-response>'),
    wrap('<set-variable name="v" value="@(context.Request.Headers.GetValueOrDefault(&quot;x&quot;, &quot;none&quot;))" /><set-body>@(context.Subscription?.Name ?? "anonymous")</set-body>'),
    wrap('<choose><when condition="@(context.Request.Method == &quot;POST&quot;)"><set-header name="a" exists-action="skip"><value>1</value></set-header></when><otherwise><set-header name="b" /></otherwise></choose>'),
    wrap('', '<backend><base /></backend><outbound><set-status code="201" /><set-body>done</set-body></outbound><on-error><set-header name="ErrorSource" exists-action="override"><value>@(context.LastError.Source)</value></set-header></on-error>'),
  ];
  for (const xml of good) assert.equal(validatePolicyXml(xml, NAMED), undefined, xml);
  // rawxml: expressions with unescaped quotes.
  assert.equal(validatePolicyXml(wrap('<set-body>@(context.Request.Headers.GetValueOrDefault("x") + "!")</set-body>'), NAMED, { format: 'rawxml' }), undefined);
});

test('validatePolicyXml rejects what the local gateway does not emulate, naming the element', () => {
  const cases: Array<[string, RegExp, { format?: 'xml' | 'rawxml'; scope?: 'global' | 'product' | 'api' | 'operation'; sku?: string }?]> = [
    [wrap('<send-request mode="new" response-variable-name="r" />'), /Error in element 'send-request' on line 1, column \d+: The local gateway does not emulate the 'send-request' policy/],
    [wrap('<authentication-managed-identity resource="x" />'), /does not emulate the 'authentication-managed-identity' policy/],
    [wrap('<rate-limit-by-key calls="1" renewal-period="1" counter-key="x" />'), /Error in element 'rate-limit-by-key' on line 1, column \d+: Policy is not allowed in 'Consumption' sku/, { sku: 'Consumption' }],
    [wrap('<quota-by-key calls="1" renewal-period="1" counter-key="x" />'), /Policy is not allowed in 'Consumption' sku/, { sku: 'Consumption' }],
    [wrap('<rate-limit-by-key calls="1" renewal-period="1" counter-key="x" />'), /does not emulate the 'rate-limit-by-key' policy/, { sku: 'Developer' }],
    [wrap('<rate-limit calls="1" renewal-period="1" />'), /Policy is not allowed in the specified scope/, { scope: 'global' }],
    [wrap('<rate-limit calls="1" renewal-period="301" />'), /'renewal-period' attribute is invalid .* MaxInclusive/],
    [wrap('<rate-limit calls="@(5)" renewal-period="1" />'), /'calls' attribute is invalid - The value '@\(5\)' is invalid according to its datatype 'http:\/\/www.w3.org\/2001\/XMLSchema:int'/],
    [wrap('<rate-limit calls="{{BadCalls}}" renewal-period="1" />'), /The value '\{\{BadCalls\}\}' is invalid/],
    [wrap('<set-header name="a">text</set-header>'), /The element 'set-header' cannot contain text. List of possible elements expected: 'value'./],
    [wrap('<set-header name="a" exists-action="replace" />'), /'exists-action' attribute is invalid .* Enumeration constraint failed/],
    [wrap('<set-header exists-action="skip" />'), /The required attribute 'name' is missing./],
    [wrap('<set-header name="a" colour="red" />'), /The 'colour' attribute is not declared./],
    [wrap('<set-header name="a"><val>1</val></set-header>'), /The element 'set-header' has invalid child element 'val'/],
    [wrap('<validate-jwt header-name="Authorization"><openid-config url="https://login.microsoftonline.com/x/.well-known/openid-configuration" /></validate-jwt>'), /does not emulate 'openid-config' in 'validate-jwt': the offline local gateway cannot fetch OpenID configuration/],
    [wrap('<validate-jwt header-name="Authorization"><issuer-signing-keys><key certificate-id="c" /></issuer-signing-keys></validate-jwt>'), /'certificate-id' attribute/],
    [wrap('<validate-jwt><issuer-signing-keys><key>abc=</key></issuer-signing-keys></validate-jwt>'), /One of the attributes 'header-name', 'query-parameter-name', 'token-value' must be specified/],
    [wrap('<validate-jwt header-name="a"><issuer-signing-keys><key>not base64!</key></issuer-signing-keys></validate-jwt>'), /not a valid base64 string/],
    [wrap('<set-body>@{ return "x"; }</set-body>'), /multi-statement policy expressions/],
    [wrap('<set-body>@(context.Request.Body.As&lt;string&gt;())</set-body>'), /not supported by the local gateway: unsupported syntax near '<string>/],
    [wrap('<set-body>@(context.Request.Body)</set-body>'), /'Body' is not a supported member/],
    [wrap('<set-body>@(DateTime.UtcNow.ToString())</set-body>'), /'DateTime' is not supported by the local gateway/],
    [wrap('<set-backend-service sf-partition-key="1" backend-id="b" />'), /Service Fabric backends are not emulated/],
    [wrap('<set-backend-service />'), /One of the attributes 'base-url', 'backend-id' must be specified/],
    [wrap('<ip-filter action="deny"><address>1.2.3.4</address></ip-filter>'), /'action' attribute is invalid/],
    [wrap('<cors><allowed-methods><method>GET</method></allowed-methods></cors>'), /incomplete content. List of possible elements expected: 'allowed-origins'/],
    [wrap('<cors><allowed-origins><origin>*</origin></allowed-origins></cors><cors><allowed-origins><origin>*</origin></allowed-origins></cors>'), /cors policy can only be used once/],
    [wrap('<forward-request />'), /Policy is not allowed in the 'inbound' section/],
    [wrap('<set-status code="200" />'), /Policy is not allowed in the 'inbound' section/],
    [wrap('<return-response response-variable-name="r" />'), /send-request is not emulated/],
    [wrap('<choose><when condition="@(context.Foo)"><set-header name="a" /></when></choose>'), /'Foo' is not a supported member/],
    [wrap('<choose><when condition="true"><send-one-way-request /></when></choose>'), /does not emulate the 'send-one-way-request' policy/],
    [wrap('<set-header name="{{missing-nv}}" />'), /Named value 'missing-nv' referenced on line 1, column \d+ does not exist/],
    ['<policies><inbound /><inbound /></policies>', /'inbound' section is specified more than once/],
    ['<policies><inbound /><middle /></policies>', /invalid child element 'middle'/],
    ['<policy />', /The root element must be 'policies'/],
    ['<policies><backend><forward-request /><set-header name="a" /></backend></policies>', /after forward-request/],
    ['<policies><inbound><base /><base /></inbound></policies>', /'base' element can be used only once/],
  ];
  for (const [xml, re, opts] of cases) {
    const err = validatePolicyXml(xml, NAMED, opts);
    assert.ok(err, `should reject: ${xml}`);
    assert.equal(err.code, 'ValidationError');
    const text = [err.message, ...(err.details ?? []).map((d) => d.message)].join('\n');
    assert.match(text, re, xml);
    if (err.details) assert.equal(err.message, 'One or more fields contain incorrect values:');
  }
});

test('validation reports malformed XML, lists every problem and never shows secret named values', () => {
  const malformed = validatePolicyXml('<policies><inbound></policies>', NAMED);
  assert.equal(malformed?.code, 'ValidationError');
  assert.match(malformed!.message, /^The policy is not a valid XML: .* Line 1, position \d+\.$/);
  assert.equal(malformed!.details, undefined);
  const many = validatePolicyXml(wrap('<foo /><bar />'), NAMED);
  assert.deepEqual(
    many?.details?.map((d) => d.target),
    ['foo', 'bar'],
  );
  const secret = validatePolicyXml(wrap('<check-header name="a" failed-check-httpcode="{{function-app-key}}" failed-check-error-message="m" ignore-case="true" />'), NAMED);
  assert.ok(secret);
  const all = JSON.stringify(secret);
  assert.match(all, /\{\{function-app-key\}\}/);
  assert.doesNotMatch(all, /sup3r-s3cret-value/);
  // Named values are matched by displayName, case-insensitively; the resource name does not count.
  assert.equal(validatePolicyXml(wrap('<set-header name="a"><value>{{FUNCTION-APP-KEY}}</value></set-header>'), NAMED), undefined);
  const byName = validatePolicyXml(wrap('<set-header name="a"><value>{{nv-1}}</value></set-header>'), [{ name: 'nv-1', properties: { displayName: 'Other', value: 'x' } }]);
  assert.match(byName?.details?.[0].message ?? '', /Named value 'nv-1'/);
});
