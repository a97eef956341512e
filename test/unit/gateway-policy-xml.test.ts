import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml, XmlError, childElements, textOf, type XmlElement } from '../../src/local/gateway/xml.ts';
import { effectiveSection, substituteNamedValues, toDocument, type Scope } from '../../src/local/gateway/policy-xml.ts';

test('parseXml keeps element order, attribute order, positions, entities, CDATA; drops comments', () => {
  const root = parseXml(`<?xml version="1.0"?>
<!-- head -->
<policies>
  <inbound>
    <set-header name="a" exists-action='append'><value>x &amp; y &lt;z&gt; &#65;&#x42;</value></set-header>
    <!-- note -->
    <set-body><![CDATA[<raw & text>]]></set-body>
  </inbound>
</policies>`);
  assert.equal(root.name, 'policies');
  const inbound = childElements(root)[0];
  const [sh, sb] = childElements(inbound);
  assert.deepEqual(
    sh.attrs.map((a) => [a.name, a.value]),
    [
      ['name', 'a'],
      ['exists-action', 'append'],
    ],
  );
  assert.equal(sh.line, 5);
  assert.equal(sh.column, 5);
  assert.equal(textOf(childElements(sh)[0]), 'x & y <z> AB');
  assert.equal(textOf(sb), '<raw & text>');
  assert.deepEqual(
    childElements(inbound).map((e) => e.name),
    ['set-header', 'set-body'],
  );
});

test('parseXml is strict and reports line and position', () => {
  const bad: Array<[string, RegExp]> = [
    ['<policies><inbound></policies>', /does not match the end tag/],
    ['<policies a="1" a="2"/>', /duplicate attribute/],
    ['<policies a=1/>', /expected token is '"'/],
    ['<policies>&nbsp;</policies>', /undeclared entity 'nbsp'/],
    ['<policies>a & b</policies>', /EntityName/],
    ['<policies/><other/>', /multiple root elements/],
    ['', /Root element is missing/],
    ['<policies><inbound>', /not closed/],
    ['<policies x="<"/>', /invalid attribute character/],
    ['<policies><!-- a -- b --></policies>', /comment cannot contain/],
    // Unescaped quotes inside an expression are not XML…
    ['<policies><set-variable name="x" value="@(context.Request.Headers.GetValueOrDefault("a"))" /></policies>', /unexpected token/],
  ];
  for (const [xml, re] of bad) {
    assert.throws(() => parseXml(xml), (e: unknown) => e instanceof XmlError && re.test(e.message) && /Line \d+, position \d+\./.test(e.message), xml);
  }
  const err = (() => {
    try {
      parseXml('<policies>\n  <inbound>\n  </outbound>\n</policies>');
    } catch (e) {
      return e as XmlError;
    }
  })();
  assert.equal(err?.line, 3);
  assert.equal(err?.column, 3);
});

test('rawxml mode reads policy expressions verbatim (quotes, <, &&) in attributes and text', () => {
  const root = parseXml(
    `<policies><inbound><choose><when condition="@(context.Request.Headers.GetValueOrDefault("a") == "b" && 1 < 2)"><set-body>@("<" + context.Request.Method + ">")</set-body></when></choose></inbound></policies>`,
    { raw: true },
  );
  const when = childElements(childElements(childElements(root)[0])[0])[0];
  assert.equal(when.attrs[0].value, '@(context.Request.Headers.GetValueOrDefault("a") == "b" && 1 < 2)');
  assert.equal(textOf(childElements(when)[0]), '@("<" + context.Request.Method + ">")');
  assert.throws(() => parseXml('<policies a="@(unclosed"/>', { raw: true }), XmlError);
  // A document escaped for `xml` reads the same as `rawxml`.
  const escaped = parseXml('<policies a="@(context.Request.Headers.GetValueOrDefault(&quot;a&quot;) == &quot;&lt;&quot;)" />', { raw: true });
  assert.equal(escaped.attrs[0].value, '@(context.Request.Headers.GetValueOrDefault("a") == "<")');
});

const doc = (inbound: string, outbound = '') => toDocument(parseXml(`<policies><inbound>${inbound}</inbound><backend><base /></backend><outbound>${outbound}</outbound></policies>`));
const names = (xs: { element: XmlElement; scope: Scope }[]) => xs.map((s) => `${s.scope}:${s.element.attrs[0]?.value ?? s.element.name}`);
const mark = (v: string) => `<set-variable name="${v}" value="1" />`;

test('effectiveSection expands <base /> across operation → api → product → global', () => {
  const global = doc(`${mark('g1')}<base />${mark('g2')}`, mark('gout'));
  const product = doc(`${mark('p1')}<base />`);
  const apiDoc = doc(`<base />${mark('a1')}`);
  const operation = doc(`${mark('o1')}<base />${mark('o2')}`);
  const cases: Array<[string, Partial<Record<Scope, ReturnType<typeof doc>>>, string[]]> = [
    ['all four', { global, product, api: apiDoc, operation }, ['operation:o1', 'product:p1', 'global:g1', 'global:g2', 'api:a1', 'operation:o2']],
    ['no product context', { global, api: apiDoc, operation }, ['operation:o1', 'global:g1', 'global:g2', 'api:a1', 'operation:o2']],
    ['missing api scope behaves as <base />', { global, product, operation }, ['operation:o1', 'product:p1', 'global:g1', 'global:g2', 'operation:o2']],
    ['no operation policy', { global, api: apiDoc }, ['global:g1', 'global:g2', 'api:a1']],
    ['operation without <base /> cuts inheritance', { global, api: apiDoc, operation: doc(mark('only')) }, ['operation:only']],
    ['global <base /> has no effect', { global }, ['global:g1', 'global:g2']],
    ['nothing at all', {}, []],
    ['a document without the section inherits it', { global, operation: toDocument(parseXml('<policies><outbound /></policies>')) }, ['global:g1', 'global:g2']],
  ];
  for (const [name, docs, expected] of cases) assert.deepEqual(names(effectiveSection(docs, 'inbound')), expected, name);
  assert.deepEqual(names(effectiveSection({ global, operation }, 'outbound')), [], 'operation outbound is empty and does not inherit');
  assert.deepEqual(names(effectiveSection({ global, api: toDocument(parseXml('<policies><inbound/></policies>')) }, 'outbound')), ['global:gout']);
});

test('named values are substituted by displayName in attributes and text, secret ones too; unknown ones reported', () => {
  const root = parseXml('<policies><inbound><set-header name="x-{{HeaderSuffix}}" exists-action="override"><value>{{FunctionKey}}</value></set-header><set-body>{{Nope}} and {{FunctionKey}}</set-body></inbound></policies>');
  const values: Record<string, string> = { HeaderSuffix: 'tenant', FunctionKey: 's3cr3t&<' };
  const { root: out, missing } = substituteNamedValues(root, (n) => values[n]);
  const [sh, sb] = childElements(childElements(out)[0]);
  assert.equal(sh.attrs[0].value, 'x-tenant');
  assert.equal(textOf(childElements(sh)[0]), 's3cr3t&<');
  assert.equal(textOf(sb), '{{Nope}} and s3cr3t&<');
  assert.deepEqual(missing, [{ name: 'Nope', line: 1, column: 136 }]); // position of the text node holding it
  // The input tree is untouched.
  assert.equal(childElements(childElements(root)[0])[0].attrs[0].value, 'x-{{HeaderSuffix}}');
});

test('entity names are looked up as entities only, not as object properties', async () => {
  const { parseXml } = await import('../../src/local/gateway/xml.ts');
  assert.throws(() => parseXml('<policies><inbound>&constructor;</inbound></policies>', { raw: false }));
  assert.throws(() => parseXml('<policies><inbound>&toString;</inbound></policies>', { raw: false }));
});
