// Policy documents as APIM reads them. `xml` is strict XML (policy expressions entity-encoded); `rawxml` is XML
// whose policy expressions — attribute values or element text starting with @( or @{ — are taken verbatim, so
// `value="@(ctx.Headers["x"])"` is legal. Errors carry .NET XmlException-style messages with line and position,
// as APIM's ValidationError details do ("'X' is an unexpected token. Expecting white space. Line 4, position 86.").
import { decodeReference, XmlCursor, XmlError } from '../../../gateway/xml.ts';

export type PolicyFormat = 'xml' | 'rawxml';

export interface XmlAttr {
  name: string;
  value: string;
  expression: boolean;
}
export interface XmlElement {
  kind: 'element';
  name: string;
  attrs: XmlAttr[];
  children: XmlNode[];
  line: number;
  col: number;
  selfClosing: boolean;
}
export type XmlNode = XmlElement | { kind: 'text'; value: string; expression: boolean } | { kind: 'comment' | 'cdata'; value: string };

export class PolicyXmlError extends Error {}

// The cursor (BOM, offsets → line/position, names, references) is the gateway parser's; the grammar below is this
// provider's own because it differs from the gateway's in what it accepts and reports (.NET XmlException wording,
// the name's position for an element, every open element in "not closed", comments and CDATA kept for
// serialization, expressions kept verbatim and read by their own bracket rule).
export function parsePolicyXml(text: string, mode: PolicyFormat): { root: XmlElement; declaration?: string } {
  try {
    return new Parser(text, mode).document();
  } catch (e) {
    if (e instanceof XmlError) throw new PolicyXmlError(e.message);
    throw e;
  }
}

class Parser extends XmlCursor {
  private readonly mode: PolicyFormat;
  /** Elements open at the cursor, outermost first (for "not closed" messages). */
  private readonly open: string[] = [];
  constructor(s: string, mode: PolicyFormat) {
    super(s);
    this.mode = mode;
  }

  private token(at: number): string {
    const e = this.nameEnd(at);
    return e > at ? this.s.slice(at, e) : this.s[at];
  }

  document(): { root: XmlElement; declaration?: string } {
    let declaration: string | undefined;
    if (this.startsWith('<?xml')) {
      const end = this.s.indexOf('?>', this.i);
      if (end < 0) this.fail('Unexpected end of file while parsing PI has occurred.', this.s.length);
      declaration = this.s.slice(0, end + 2);
      this.i = end + 2;
    }
    let root: XmlElement | undefined;
    for (;;) {
      this.skipWs();
      if (this.i >= this.s.length) break;
      if (this.startsWith('<!--')) {
        this.comment();
        continue;
      }
      if (this.startsWith('<!DOCTYPE')) this.fail('For security reasons DTD is prohibited in this XML document.');
      if (this.s[this.i] !== '<') this.fail('Data at the root level is invalid.');
      if (this.startsWith('</')) this.fail('Unexpected end tag.');
      if (root) this.fail('There are multiple root elements.', this.i + 1);
      root = this.element();
    }
    if (!root) throw new PolicyXmlError('Root element is missing.');
    return { root, declaration };
  }

  private comment(): string {
    const end = this.s.indexOf('-->', this.i + 4);
    if (end < 0) this.fail('Unexpected end of file while parsing Comment has occurred.', this.s.length);
    const value = this.s.slice(this.i + 4, end);
    this.i = end + 3;
    return value;
  }

  private name(): string {
    return this.readName((c) =>
      c === undefined ? 'Unexpected end of file has occurred.' : `Name cannot begin with the '${c}' character, hexadecimal value 0x${c.charCodeAt(0).toString(16).toUpperCase()}.`,
    );
  }

  private element(): XmlElement {
    this.i++; // '<'
    const { line, column: col } = this.pos();
    const el: XmlElement = { kind: 'element', name: this.name(), attrs: [], children: [], line, col, selfClosing: false };
    for (;;) {
      const before = this.i;
      this.skipWs();
      const c = this.s[this.i];
      if (c === undefined) this.fail(`Unexpected end of file has occurred. The following elements are not closed: ${[...this.open, el.name].reverse().join(', ')}.`);
      if (c === '>') {
        this.i++;
        break;
      }
      if (c === '/' && this.s[this.i + 1] === '>') {
        this.i += 2;
        el.selfClosing = true;
        return el;
      }
      if (this.i === before) this.fail(`'${this.token(this.i)}' is an unexpected token. Expecting white space.`);
      const attrAt = this.i;
      const name = this.name();
      this.skipWs();
      if (this.s[this.i] !== '=') this.fail(`'${this.token(this.i)}' is an unexpected token. The expected token is '='.`);
      this.i++;
      this.skipWs();
      if (el.attrs.some((a) => a.name === name)) this.fail(`'${name}' is a duplicate attribute name.`, attrAt);
      el.attrs.push(this.attrValue(name));
    }
    this.open.push(el.name);
    this.content(el);
    this.open.pop();
    return el;
  }

  private attrValue(name: string): XmlAttr {
    const q = this.s[this.i];
    if (q !== '"' && q !== "'") this.fail(`'${this.token(this.i)}' is an unexpected token. The expected token is '"' or '''.`);
    this.i++;
    if (this.mode === 'rawxml' && this.atExpression()) {
      const start = this.i;
      this.expression();
      if (this.s[this.i] === q) {
        const value = this.s.slice(start, this.i);
        this.i++;
        return { name, value, expression: true };
      }
      this.i = start;
    }
    let value = '';
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) this.fail('Unexpected end of file has occurred.');
      if (c === q) break;
      if (c === '<') this.fail(`'<', hexadecimal value 0x3C, is an invalid attribute character.`);
      value += this.charOrEntity();
    }
    this.i++;
    return { name, value, expression: /^@[({]/.test(value) };
  }

  private entity(): string {
    const at = this.i;
    const end = this.s.indexOf(';', at);
    const body = end > at ? this.s.slice(at + 1, end) : '';
    const out = decodeReference(body);
    if (out === undefined) this.fail('An error occurred while parsing EntityName.', at + 1);
    this.i = end + 1;
    return out;
  }

  /** A C#-ish policy expression from @( or @{ to its matching bracket, honouring string and char literals. */
  private expression(): void {
    const open = this.s[this.i + 1];
    const close = open === '(' ? ')' : '}';
    const startAt = this.i;
    this.i += 2;
    let depth = 1;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === '@' && this.s[this.i + 1] === '"') {
        this.i += 2;
        while (this.i < this.s.length && !(this.s[this.i] === '"' && this.s[this.i + 1] !== '"')) this.i += this.s[this.i] === '"' ? 2 : 1;
        this.i++;
        continue;
      }
      if (c === '"' || c === "'") {
        this.i++;
        while (this.i < this.s.length && this.s[this.i] !== c && this.s[this.i] !== '\n') this.i += this.s[this.i] === '\\' ? 2 : 1;
        this.i++;
        continue;
      }
      if (c === open) depth++;
      else if (c === close && --depth === 0) {
        this.i++;
        return;
      }
      this.i++;
    }
    this.fail(`The policy expression is not terminated: missing '${close}'.`, startAt);
  }

  private content(el: XmlElement): void {
    let text = '';
    let textExpr = false;
    const flush = () => {
      if (text) el.children.push({ kind: 'text', value: text, expression: textExpr || /^\s*@[({]/.test(text) });
      text = '';
      textExpr = false;
    };
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) this.fail(`Unexpected end of file has occurred. The following elements are not closed: ${[...this.open].reverse().join(', ')}.`);
      if (this.mode === 'rawxml' && !text.trim() && this.atExpression()) {
        const start = this.i;
        this.expression();
        text += this.s.slice(start, this.i);
        textExpr = true;
        continue;
      }
      if (c === '<') {
        if (this.startsWith('</')) {
          flush();
          const at = this.i + 2;
          this.i += 2;
          const name = this.name();
          this.skipWs();
          if (this.s[this.i] !== '>') this.fail(`'${this.token(this.i)}' is an unexpected token. The expected token is '>'.`);
          if (name !== el.name) this.fail(`The '${el.name}' start tag on line ${el.line} position ${el.col} does not match the end tag of '${name}'.`, at);
          this.i++;
          return;
        }
        flush();
        if (this.startsWith('<!--')) el.children.push({ kind: 'comment', value: this.comment() });
        else if (this.startsWith('<![CDATA[')) {
          const end = this.s.indexOf(']]>', this.i);
          if (end < 0) this.fail('Unexpected end of file while parsing CDATA has occurred.', this.s.length);
          el.children.push({ kind: 'cdata', value: this.s.slice(this.i + 9, end) });
          this.i = end + 3;
        } else el.children.push(this.element());
        continue;
      }
      text += this.charOrEntity();
    }
  }

  /** The character at the cursor, or the entity or character reference it begins, decoded. */
  private charOrEntity(): string {
    return this.s[this.i] === '&' ? this.entity() : this.s[this.i++];
  }
}

const escAttr = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const escText = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Writes a parsed document back; in rawxml, expressions are written verbatim, in xml entity-encoded. */
export function serializePolicy(doc: { root: XmlElement; declaration?: string }, mode: PolicyFormat): string {
  const out: string[] = [];
  if (doc.declaration) out.push(doc.declaration);
  const write = (n: XmlNode) => {
    if (n.kind === 'text') out.push(mode === 'rawxml' && n.expression ? n.value : escText(n.value));
    else if (n.kind === 'comment') out.push(`<!--${n.value}-->`);
    else if (n.kind === 'cdata') out.push(`<![CDATA[${n.value}]]>`);
    else if (n.kind === 'element') {
      const attrs = n.attrs.map((a) => ` ${a.name}="${mode === 'rawxml' && a.expression ? a.value : escAttr(a.value)}"`).join('');
      if (n.selfClosing) out.push(`<${n.name}${attrs} />`);
      else {
        out.push(`<${n.name}${attrs}>`);
        n.children.forEach(write);
        out.push(`</${n.name}>`);
      }
    }
  };
  write(doc.root);
  return out.join('');
}

/** `{{name}}` references to named values, with the element that holds each (liquid set-body templates excluded). */
export function namedValueRefs(root: XmlElement): Array<{ name: string; element: string; line: number; col: number }> {
  const refs: Array<{ name: string; element: string; line: number; col: number }> = [];
  const scan = (value: string, el: XmlElement) => {
    for (const m of value.matchAll(/\{\{([A-Za-z0-9\-._]+)\}\}/g)) refs.push({ name: m[1], element: el.name, line: el.line, col: el.col });
  };
  const visit = (el: XmlElement) => {
    if (el.name === 'set-body' && el.attrs.some((a) => a.name === 'template' && a.value.toLowerCase() === 'liquid')) return;
    for (const a of el.attrs) scan(a.value, el);
    for (const c of el.children) {
      if (c.kind === 'element') visit(c);
      else if (c.kind === 'text' || c.kind === 'cdata') scan(c.value, el);
    }
  };
  visit(root);
  return refs;
}
