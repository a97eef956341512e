// Policy documents: parse, substitute named values, and compute the effective pipeline of a section.
//
// Named values: `{{displayName}}` anywhere in an attribute value or text is replaced by the named value's value,
// secret or not ("When this policy is evaluated … {{ContosoHeader}} … replaced with their respective values",
// api-management-howto-properties.md). A named value's own value is not searched for further references
// ("they can't contain other named values"). Substitution happens on the parsed tree, which is equivalent to
// APIM's textual replacement for every value that is not itself XML markup, and keeps line/column exact.
//
// Inheritance (api-management-howto-policies.md "Policy evaluation order"): scopes run from the narrowest
// (operation) outwards; `<base />` in a section is replaced by the same section of the next broader scope
// (operation → api → product → global); a global `<base />` has no effect. A scope with no policy — or whose
// document lacks the section — behaves as a lone `<base />`. The product scope takes part only in a product
// context (product-scoped subscription or open product). Without a global policy, APIM's default global
// policy applies: `<backend><forward-request /></backend>` (policy-runtime.ts globalDocument).
import { childElements, parseXml, type XmlAttr, type XmlElement, type XmlNode } from './xml.ts';

export type Section = 'inbound' | 'backend' | 'outbound' | 'on-error';
export type Scope = 'global' | 'product' | 'api' | 'operation';
export const SECTIONS: readonly Section[] = ['inbound', 'backend', 'outbound', 'on-error'];
export const SCOPES_NARROW_FIRST: readonly Scope[] = ['operation', 'api', 'product', 'global'];

export const DEFAULT_GLOBAL_POLICY = '<policies><inbound /><backend><forward-request /></backend><outbound /><on-error /></policies>';

export interface PolicyDocument {
  root: XmlElement;
  sections: Partial<Record<Section, XmlElement>>;
}

export interface Statement {
  element: XmlElement;
  scope: Scope;
}

export type ScopedDocuments = Partial<Record<Scope, PolicyDocument>>;

const parsed = new Map<string, XmlElement>();

/** Parses (cached by source) without checking which policies are used; see policy-validate.ts for that. */
export function parsePolicyXml(xml: string, raw: boolean): XmlElement {
  const key = `${raw ? 'r' : 'x'}:${xml}`;
  let root = parsed.get(key);
  if (!root) {
    root = parseXml(xml, { raw });
    if (parsed.size > 500) parsed.clear();
    parsed.set(key, root);
  }
  return root;
}

export function toDocument(root: XmlElement): PolicyDocument {
  const sections: Partial<Record<Section, XmlElement>> = {};
  for (const el of childElements(root)) if ((SECTIONS as readonly string[]).includes(el.name)) sections[el.name as Section] = el;
  return { root, sections };
}

export const NAMED_VALUE_REF = /\{\{([A-Za-z0-9._-]+)\}\}/g;

export interface MissingNamedValue {
  name: string;
  line: number;
  column: number;
}

/**
 * A copy of `root` with every `{{name}}` replaced by `resolve(name)`; unresolvable references are left as they
 * are and reported in `missing`.
 */
export function substituteNamedValues(root: XmlElement, resolve: (name: string) => string | undefined): { root: XmlElement; missing: MissingNamedValue[] } {
  const missing: MissingNamedValue[] = [];
  const sub = (text: string, line: number, column: number): string =>
    text.replace(NAMED_VALUE_REF, (m, name: string) => {
      const v = resolve(name);
      if (v === undefined) {
        missing.push({ name, line, column });
        return m;
      }
      return v;
    });
  const walk = (el: XmlElement): XmlElement => ({
    ...el,
    attrs: el.attrs.map((a): XmlAttr => ({ ...a, value: sub(a.value, a.line, a.column) })),
    children: el.children.map((c): XmlNode => (c.type === 'element' ? walk(c) : { ...c, text: sub(c.text, c.line, c.column) })),
  });
  return { root: walk(root), missing };
}

/** The statements of `section` in execution order, `<base />` expanded across scopes. */
export function effectiveSection(docs: ScopedDocuments, section: Section): Statement[] {
  const expand = (level: number): Statement[] => {
    if (level >= SCOPES_NARROW_FIRST.length) return [];
    const scope = SCOPES_NARROW_FIRST[level];
    const doc = docs[scope];
    const sec = doc?.sections[section];
    if (!sec) return expand(level + 1);
    const out: Statement[] = [];
    for (const el of childElements(sec)) {
      if (el.name === 'base') out.push(...expand(level + 1));
      else out.push({ element: el, scope });
    }
    return out;
  };
  return expand(0);
}

export interface EffectivePolicies {
  inbound: Statement[];
  backend: Statement[];
  outbound: Statement[];
  onError: Statement[];
}

export function effectivePolicies(docs: ScopedDocuments): EffectivePolicies {
  return {
    inbound: effectiveSection(docs, 'inbound'),
    backend: effectiveSection(docs, 'backend'),
    outbound: effectiveSection(docs, 'outbound'),
    onError: effectiveSection(docs, 'on-error'),
  };
}
