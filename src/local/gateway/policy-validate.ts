// PUT-time validation of a policy document (the ARM provider calls validatePolicyXml before storing it).
// It rejects — with APIM's ValidationError shape and "Error in element 'x' on line L, column C: …" details —
// malformed XML, unknown sections, every element the local gateway does not emulate (naming it), attributes it
// does not know, values of the wrong type, unsupported policy expressions and undefined named values. Messages
// follow the .NET XmlSchema wording APIM shows where known ("The element 'set-header' cannot contain text. List
// of possible elements expected: 'value'.", microsoft/vscode-apimanagement#145; "Policy is not allowed in
// 'Consumption' sku", MicrosoftDocs/azure-docs#57081).
import { compileExpression, isExpression } from './expressions.ts';
import type { NamedValueContract } from './model.ts';
import { SECTIONS, substituteNamedValues, type Scope, type Section } from './policy-xml.ts';
import { childElements, parseXml, XmlError, type XmlAttr, type XmlElement } from './xml.ts';

export interface PolicyValidationError {
  code: 'ValidationError';
  message: string;
  details?: Array<{ code: 'ValidationError'; target: string; message: string }>;
}

export interface ValidateOptions {
  format?: 'xml' | 'rawxml';
  /** Scope the document is PUT at; enables per-scope checks (rate-limit is not allowed globally). */
  scope?: Scope;
  /** Service sku name; `Consumption` rejects rate-limit-by-key and quota-by-key as APIM does. */
  sku?: string;
}

interface AttrSpec {
  required?: boolean;
  type?: 'int' | 'bool';
  enum?: string[];
  noExpr?: boolean;
  max?: number;
}

interface Spec {
  attrs?: Record<string, AttrSpec>;
  unsupportedAttrs?: Record<string, string>;
  children?: Record<string, Spec>;
  unsupportedChildren?: Record<string, string>;
  text?: boolean;
  /** Children are policy statements (choose/when, choose/otherwise). */
  statements?: boolean;
  sections?: Section[];
  scopes?: Scope[];
  check?: (el: XmlElement) => string | undefined;
}

const ALL: Section[] = ['inbound', 'backend', 'outbound', 'on-error'];
const ACTION: AttrSpec = { enum: ['override', 'skip', 'append', 'delete'] };
const VALUE: Spec = { text: true };
const hasAttr = (el: XmlElement, ...names: string[]) => names.some((n) => el.attrs.some((a) => a.name === n));
const oneOf = (...names: string[]) => (el: XmlElement) => (hasAttr(el, ...names) ? undefined : `One of the attributes ${names.map((n) => `'${n}'`).join(', ')} must be specified.`);
const textItems = (item: string): Spec => ({ children: { [item]: VALUE } });
const limitEntity = (nested?: Record<string, Spec>): Spec => ({
  attrs: { name: {}, id: {}, calls: { required: true, type: 'int', noExpr: true }, 'renewal-period': { required: true, type: 'int', noExpr: true, max: 300 } },
  children: nested,
  check: oneOf('name', 'id'),
});
const SET_HEADER: Spec = { attrs: { name: { required: true }, 'exists-action': ACTION }, children: { value: VALUE }, sections: ALL };
const SET_BODY: Spec = {
  text: true,
  attrs: { template: { enum: ['none'] } },
  unsupportedAttrs: { 'xsl-template': 'XSLT bodies are not emulated', 'parse-date': 'liquid parsing is not emulated' },
  sections: ALL,
};

export const POLICY_SPECS: Record<string, Spec> = {
  'set-backend-service': {
    attrs: { 'base-url': {}, 'backend-id': {} },
    unsupportedAttrs: Object.fromEntries(['sf-resolve-condition', 'sf-service-instance-name', 'sf-partition-key', 'sf-replica-type', 'sf-listener-name'].map((a) => [a, 'Service Fabric backends are not emulated'])),
    sections: ['inbound', 'backend'],
    check: oneOf('base-url', 'backend-id'),
  },
  'set-header': SET_HEADER,
  'set-query-parameter': { ...SET_HEADER, sections: ['inbound', 'backend'] },
  'check-header': {
    attrs: { name: { required: true }, 'failed-check-httpcode': { required: true, type: 'int' }, 'failed-check-error-message': { required: true }, 'ignore-case': { required: true, type: 'bool' } },
    children: { value: VALUE },
    sections: ['inbound'],
  },
  'rate-limit': {
    ...limitEntity({ api: limitEntity({ operation: limitEntity() }) }),
    attrs: {
      calls: { required: true, type: 'int', noExpr: true },
      'renewal-period': { required: true, type: 'int', noExpr: true, max: 300 },
      ...Object.fromEntries(['retry-after-header-name', 'retry-after-variable-name', 'remaining-calls-header-name', 'remaining-calls-variable-name', 'total-calls-header-name'].map((a) => [a, { noExpr: true }])),
    },
    check: undefined,
    sections: ['inbound'],
    scopes: ['product', 'api', 'operation'],
  },
  'validate-jwt': {
    attrs: {
      'header-name': {}, 'query-parameter-name': {}, 'token-value': {}, 'failed-validation-httpcode': { type: 'int' }, 'failed-validation-error-message': {},
      'require-expiration-time': { type: 'bool' }, 'require-scheme': {}, 'require-signed-tokens': { type: 'bool' }, 'clock-skew': { type: 'int' }, 'output-token-variable-name': { noExpr: true },
    },
    children: {
      'issuer-signing-keys': {
        children: {
          key: {
            text: true,
            attrs: { id: {}, n: { noExpr: true }, e: { noExpr: true } },
            unsupportedAttrs: { 'certificate-id': 'uploaded certificates are not emulated; give the RSA key as n and e' },
            check: (k) => {
              const text = k.children.map((c) => (c.type === 'text' ? c.text : '')).join('').trim();
              if (hasAttr(k, 'n') !== hasAttr(k, 'e')) return "Attributes 'n' and 'e' must be specified together.";
              if (hasAttr(k, 'n')) return text ? 'A key is either a base64 value or an n/e pair, not both.' : undefined;
              if (!text) return 'The key must contain a base64-encoded symmetric key, or n and e attributes.';
              return isExpression(text) || /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? undefined : 'The key is not a valid base64 string.';
            },
          },
        },
      },
      audiences: textItems('audience'),
      issuers: textItems('issuer'),
      'required-claims': { children: { claim: { attrs: { name: { required: true }, match: { enum: ['all', 'any'] }, separator: {} }, children: { value: VALUE } } } },
    },
    unsupportedChildren: {
      'openid-config': 'the offline local gateway cannot fetch OpenID configuration; give the signing keys inline in <issuer-signing-keys>',
      'decryption-keys': 'encrypted tokens (JWE) are not emulated',
    },
    sections: ['inbound'],
    check: oneOf('header-name', 'query-parameter-name', 'token-value'),
  },
  cors: {
    attrs: { 'allow-credentials': { type: 'bool' }, 'terminate-unmatched-request': { type: 'bool' } },
    children: {
      'allowed-origins': textItems('origin'),
      'allowed-methods': { attrs: { 'preflight-result-max-age': { type: 'int' } }, children: { method: VALUE } },
      'allowed-headers': textItems('header'),
      'expose-headers': textItems('header'),
    },
    sections: ['inbound'],
    check: (el) => (childElements(el).some((c) => c.name === 'allowed-origins') ? undefined : "The element 'cors' has incomplete content. List of possible elements expected: 'allowed-origins'."),
  },
  'ip-filter': {
    attrs: { action: { required: true, enum: ['allow', 'forbid'] } },
    children: { address: VALUE, 'address-range': { attrs: { from: { required: true }, to: { required: true } } } },
    sections: ['inbound'],
    check: (el) => (childElements(el).length ? undefined : "The element 'ip-filter' has incomplete content. List of possible elements expected: 'address, address-range'."),
  },
  'return-response': {
    unsupportedAttrs: { 'response-variable-name': 'send-request is not emulated, so there is no response variable' },
    children: { 'set-status': { attrs: { code: { required: true, type: 'int' }, reason: {} } }, 'set-header': SET_HEADER, 'set-body': SET_BODY },
    sections: ALL,
  },
  'mock-response': { attrs: { 'status-code': { type: 'int' }, 'content-type': {} }, sections: ['inbound', 'outbound', 'on-error'] },
  'rewrite-uri': { attrs: { template: { required: true }, 'copy-unmatched-params': { type: 'bool' } }, sections: ['inbound'] },
  'set-body': SET_BODY,
  'set-status': { attrs: { code: { required: true, type: 'int' }, reason: {} }, sections: ['outbound', 'on-error'] },
  'set-variable': { attrs: { name: { required: true, noExpr: true }, value: { required: true } }, sections: ALL },
  'forward-request': {
    attrs: { timeout: { type: 'int' }, 'follow-redirects': { type: 'bool' }, 'buffer-request-body': { type: 'bool' }, 'buffer-response': { type: 'bool' }, 'fail-on-error-status-code': { type: 'bool' } },
    unsupportedAttrs: { 'http-version': 'HTTP/2 to backends is not emulated', 'timeout-ms': 'use timeout (seconds)', 'continue-timeout': 'not emulated' },
    sections: ['backend'],
  },
  choose: {
    children: { when: { attrs: { condition: { required: true } }, statements: true }, otherwise: { statements: true } },
    sections: ALL,
    check: (el) => (childElements(el).some((c) => c.name === 'when') ? undefined : "The element 'choose' has incomplete content. List of possible elements expected: 'when'."),
  },
};

const CONSUMPTION_ONLY_NOT = new Set(['rate-limit-by-key', 'quota-by-key']);

export function validatePolicyXml(xml: string, namedValues: NamedValueContract[], opts: ValidateOptions = {}): PolicyValidationError | undefined {
  let root: XmlElement;
  try {
    root = parseXml(xml, { raw: opts.format === 'rawxml' });
  } catch (e) {
    if (e instanceof XmlError) return { code: 'ValidationError', message: `The policy is not a valid XML: ${e.message}` };
    throw e;
  }
  const details: NonNullable<PolicyValidationError['details']> = [];
  const add = (el: XmlElement, message: string): void => void details.push({ code: 'ValidationError', target: el.name, message: `Error in element '${el.name}' on line ${el.line}, column ${el.column}: ${message}` });
  // Values are checked after substitution (a named value may hold an expression or a number); messages quote
  // the value as written, so a secret named value's content never shows in an error.
  const resolve = (n: string) => namedValues.find((v) => v.properties.displayName.toLowerCase() === n.toLowerCase())?.properties.value ?? (namedValues.some((v) => v.properties.displayName.toLowerCase() === n.toLowerCase()) ? '' : undefined);
  const written = new Map<string, string>();
  const remember = (el: XmlElement): void => {
    for (const a of el.attrs) written.set(`${a.line}:${a.column}`, a.value);
    childElements(el).forEach(remember);
  };
  remember(root);
  const substituted = substituteNamedValues(root, resolve);
  root = substituted.root;
  const rep: Reporter = { add, shown: (a) => written.get(`${a.line}:${a.column}`) ?? a.value };
  for (const m of substituted.missing)
    details.push({ code: 'ValidationError', target: 'namedValues', message: `Named value '${m.name}' referenced on line ${m.line}, column ${m.column} does not exist (policies reference named values by displayName).` });
  if (root.name !== 'policies') add(root, "The root element must be 'policies'.");
  else {
    const seen = new Set<string>();
    for (const sec of childElements(root)) {
      if (!(SECTIONS as readonly string[]).includes(sec.name)) add(sec, `The element 'policies' has invalid child element '${sec.name}'. List of possible elements expected: 'inbound, backend, outbound, on-error'.`);
      else if (seen.has(sec.name)) add(sec, `The '${sec.name}' section is specified more than once.`);
      else {
        seen.add(sec.name);
        validateSection(sec, sec.name as Section, opts, rep);
      }
    }
  }
  return details.length ? { code: 'ValidationError', message: 'One or more fields contain incorrect values:', details } : undefined;
}

interface Reporter {
  add(el: XmlElement, message: string): void;
  /** How an attribute value is quoted in messages: as written in the document (named values unexpanded). */
  shown(a: XmlAttr): string;
}

function validateSection(sec: XmlElement, section: Section, opts: ValidateOptions, rep: Reporter): void {
  const add = rep.add;
  if (sec.attrs.length) add(sec, `The '${sec.attrs[0].name}' attribute is not declared.`);
  if (sec.children.some((c) => c.type === 'text' && c.text.trim())) add(sec, `The element '${sec.name}' cannot contain text.`);
  const statements = childElements(sec);
  if (statements.filter((s) => s.name === 'base').length > 1) add(sec, "The 'base' element can be used only once per section.");
  for (const b of statements.filter((s) => s.name === 'base')) if (b.attrs.length || b.children.length) add(b, "The 'base' element takes no attributes or content.");
  const forward = statements.findIndex((s) => s.name === 'forward-request');
  if (forward >= 0) for (const after of statements.slice(forward + 1)) add(after, 'The local gateway does not emulate policies placed after forward-request in the backend section.');
  const counts = new Map<string, number>();
  const walk = (list: XmlElement[]) => {
    for (const el of list) {
      if (el.name === 'base') continue;
      counts.set(el.name, (counts.get(el.name) ?? 0) + 1);
      validateStatement(el, section, opts, rep, walk);
    }
  };
  walk(statements);
  if ((counts.get('cors') ?? 0) > 1) add(sec, 'The cors policy can only be used once in a policy section.');
  if ((counts.get('rate-limit') ?? 0) > 1) add(sec, 'The rate-limit policy can be used only once per policy definition.');
}

function validateStatement(el: XmlElement, section: Section, opts: ValidateOptions, rep: Reporter, walk: (l: XmlElement[]) => void): void {
  const add = rep.add;
  const spec = POLICY_SPECS[el.name];
  if (!spec) {
    if (CONSUMPTION_ONLY_NOT.has(el.name) && opts.sku?.toLowerCase() === 'consumption') return add(el, "Policy is not allowed in 'Consumption' sku");
    return add(el, `The local gateway does not emulate the '${el.name}' policy. Emulated policies: ${Object.keys(POLICY_SPECS).join(', ')}.`);
  }
  if (spec.sections && !spec.sections.includes(section)) add(el, `Policy is not allowed in the '${section}' section.`);
  if (opts.scope && spec.scopes && !spec.scopes.includes(opts.scope)) add(el, 'Policy is not allowed in the specified scope');
  validateElement(el, spec, true, rep, (children) => {
    // Statements nested in choose/when|otherwise are checked as statements of the same section.
    walk(children);
  });
}

function validateElement(el: XmlElement, spec: Spec, topLevel: boolean, rep: Reporter, statements: (l: XmlElement[]) => void): void {
  const add = rep.add;
  for (const a of el.attrs) {
    const as = spec.attrs?.[a.name];
    if (!as) {
      if (topLevel && a.name === 'id') continue;
      const why = spec.unsupportedAttrs?.[a.name];
      add(el, why ? `The local gateway does not emulate the '${a.name}' attribute: ${why}.` : `The '${a.name}' attribute is not declared.`);
      continue;
    }
    const v = a.value;
    const w = rep.shown(a);
    const datatype = as.type === 'int' ? 'int' : as.type === 'bool' ? 'boolean' : 'String';
    const invalid = (why: string) => add(el, `The '${a.name}' attribute is invalid - The value '${w}' is invalid according to its datatype '${datatype === 'String' ? 'String' : `http://www.w3.org/2001/XMLSchema:${datatype}`}' - ${why}`);
    if (isExpression(v)) {
      if (as.noExpr) {
        if (as.type === 'int') invalid(`The string '${w}' is not a valid Int32 value.`);
        else add(el, `Policy expressions are not allowed in the '${a.name}' attribute.`);
        continue;
      }
      const c = compileExpression(v);
      if (c instanceof Error) add(el, `The policy expression in the '${a.name}' attribute is not supported by the local gateway: ${c.message}.`);
      continue;
    }
    if (as.type === 'int' && !/^\s*-?\d+\s*$/.test(v)) invalid(`The string '${w}' is not a valid Int32 value.`);
    else if (as.type === 'int' && as.max !== undefined && Number(v) > as.max) invalid('The MaxInclusive constraint failed.');
    else if (as.type === 'bool' && !/^\s*(true|false|1|0)\s*$/i.test(v)) invalid(`The string '${w}' is not a valid Boolean value.`);
    else if (as.enum && !as.enum.includes(v.toLowerCase())) invalid('The Enumeration constraint failed.');
  }
  for (const [name, as] of Object.entries(spec.attrs ?? {})) if (as.required && !hasAttr(el, name)) add(el, `The required attribute '${name}' is missing.`);
  const text = el.children
    .filter((c) => c.type === 'text')
    .map((c) => (c.type === 'text' ? c.text : ''))
    .join('')
    .trim();
  const expected = Object.keys(spec.children ?? {});
  if (text && !spec.text) add(el, `The element '${el.name}' cannot contain text.${expected.length ? ` List of possible elements expected: '${expected.join(', ')}'.` : ''}`);
  else if (text && isExpression(text)) {
    const c = compileExpression(text);
    if (c instanceof Error) add(el, `The policy expression in the element's text is not supported by the local gateway: ${c.message}.`);
  }
  for (const child of childElements(el)) {
    const cs = spec.children?.[child.name];
    if (cs) {
      validateElement(child, cs, false, rep, statements);
      if (cs.statements) statements(childElements(child));
      continue;
    }
    if (spec.statements) continue;
    const why = spec.unsupportedChildren?.[child.name];
    add(
      child,
      why
        ? `The local gateway does not emulate '${child.name}' in '${el.name}': ${why}.`
        : `The element '${el.name}' has invalid child element '${child.name}'.${expected.length ? ` List of possible elements expected: '${expected.join(', ')}'.` : ''}`,
    );
  }
  const problem = spec.check?.(el);
  if (problem) add(el, problem);
}
