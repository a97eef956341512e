// A small, strict XML parser for policy documents: elements, attributes (order kept), text, CDATA, comments,
// the five predefined entities and character references. No DTDs, no namespaces beyond the literal name.
// Written here rather than taken from npm because policies need two things parsers don't give together:
// line/column of every element (APIM's validation errors say "Error in element 'x' on line L, column C") and
// APIM's `rawxml` format, in which a policy expression may contain unescaped `"`, `<` and `&`
// (`condition="@(context.Request.Headers.GetValueOrDefault("a") == "b")"`), which no conforming parser accepts.

export interface XmlAttr {
  name: string;
  value: string;
  line: number;
  column: number;
}

export interface XmlText {
  type: 'text';
  text: string;
  line: number;
  column: number;
}

export interface XmlElement {
  type: 'element';
  name: string;
  attrs: XmlAttr[];
  children: XmlNode[];
  line: number;
  column: number;
}

export type XmlNode = XmlElement | XmlText;

export class XmlError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super(`${message} Line ${line}, position ${column}.`);
    this.line = line;
    this.column = column;
  }
}

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const NAME_CHAR = /[A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The text of an entity or character reference (`amp`, `#x3C`, `#60`, without `&` and `;`); undefined if it is none of them. */
export function decodeReference(ref: string): string | undefined {
  if (/^#x[0-9a-fA-F]+$/.test(ref)) return String.fromCodePoint(parseInt(ref.slice(2), 16));
  if (/^#[0-9]+$/.test(ref)) return String.fromCodePoint(parseInt(ref.slice(1), 10));
  // Own properties only: "&constructor;" is not an entity.
  return Object.hasOwn(ENTITIES, ref) ? ENTITIES[ref] : undefined;
}

/**
 * The cursor both policy parsers stand on — this module's and the ARM provider's serializing one
 * (arm/providers/apim/policy-xml.ts): the text without its BOM, the read index, offset → line/position, and the
 * XML name rules. Errors are XmlErrors ("… Line L, position P."). The grammars themselves stay apart because
 * they accept and report differently (see policy-xml.ts).
 */
export class XmlCursor {
  protected i = 0;
  protected readonly s: string;
  private readonly lineStarts: number[] = [0];
  constructor(src: string) {
    this.s = src.charCodeAt(0) === 0xfeff ? src.slice(1) : src;
    for (let k = 0; k < this.s.length; k++) if (this.s[k] === '\n') this.lineStarts.push(k + 1);
  }

  protected pos(at = this.i): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - this.lineStarts[lo] + 1 };
  }

  protected fail(message: string, at = this.i): never {
    const p = this.pos(at);
    throw new XmlError(message, p.line, p.column);
  }

  protected startsWith(t: string): boolean {
    return this.s.startsWith(t, this.i);
  }

  protected skipWs(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  /** Index just past the run of name characters starting at `at` (`at` itself if there is none). */
  protected nameEnd(at = this.i): number {
    let e = at;
    while (e < this.s.length && NAME_CHAR.test(this.s[e])) e++;
    return e;
  }

  /** Reads a name at the cursor; `badStart` words the error when the character there (undefined at the end) cannot begin one. */
  protected readName(badStart: (c: string | undefined) => string): string {
    const start = this.i;
    if (!NAME_START.test(this.s[start] ?? '')) this.fail(badStart(this.s[start]));
    this.i = this.nameEnd(start);
    return this.s.slice(start, this.i);
  }

  /** True where a policy expression (`@(` or `@{`) begins. */
  protected atExpression(at = this.i): boolean {
    return this.s[at] === '@' && (this.s[at + 1] === '(' || this.s[at + 1] === '{');
  }
}

export interface ParseOptions {
  /** APIM `rawxml`: policy expressions (`@(…)`, `@{…}`) are read verbatim up to their balanced end. */
  raw?: boolean;
}

export function parseXml(src: string, opts: ParseOptions = {}): XmlElement {
  return new Parser(src, opts.raw ?? false).document();
}

/** Index just past the balanced `(…)` / `{…}` opening at `start` (the char after `@`), skipping C# string and char literals; -1 if unbalanced. */
export function scanExpression(s: string, start: number): number {
  const pairs: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
  const stack: string[] = [pairs[s[start]]];
  let i = start + 1;
  while (i < s.length) {
    const c = s[i];
    if (c === '"' || c === "'") {
      const verbatim = s[i - 1] === '@' && c === '"';
      i++;
      while (i < s.length) {
        if (!verbatim && s[i] === '\\') i += 2;
        else if (s[i] === c) {
          if (verbatim && s[i + 1] === '"') i += 2;
          else break;
        } else i++;
      }
      i++;
      continue;
    }
    if (pairs[c]) stack.push(pairs[c]);
    else if (c === ')' || c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (!stack.length) return i + 1;
    }
    i++;
  }
  return -1;
}

/**
 * Inside a raw expression, well-formed entity references are still decoded (a document written for `xml` also
 * reads as `rawxml`); anything else — `&&`, a bare `<` — is C# and stays.
 */
function decodeLenient(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g, (_, ent: string) => decodeReference(ent)!);
}

class Parser extends XmlCursor {
  private readonly raw: boolean;
  constructor(s: string, raw: boolean) {
    super(s);
    this.raw = raw;
  }

  /** Comments and processing instructions allowed around the root. */
  private skipMisc(): void {
    for (;;) {
      this.skipWs();
      if (this.startsWith('<!--')) this.comment();
      else if (this.startsWith('<?')) this.pi();
      else return;
    }
  }

  private comment(): void {
    const end = this.s.indexOf('-->', this.i + 4);
    if (end < 0) this.fail('Unexpected end of file while parsing Comment has occurred.');
    if (this.s.slice(this.i + 4, end).includes('--')) this.fail("An XML comment cannot contain '--', and '-' cannot be the last character.");
    this.i = end + 3;
  }

  private pi(): void {
    const end = this.s.indexOf('?>', this.i + 2);
    if (end < 0) this.fail('Unexpected end of file while parsing a processing instruction.');
    this.i = end + 2;
  }

  document(): XmlElement {
    this.skipMisc();
    if (this.s[this.i] !== '<') this.fail(this.i >= this.s.length ? 'Root element is missing.' : 'Data at the root level is invalid.');
    const root = this.element();
    this.skipMisc();
    if (this.i < this.s.length) this.fail('There are multiple root elements.');
    return root;
  }

  private name(): string {
    return this.readName((c) => `Name cannot begin with the '${c ?? 'EOF'}' character.`);
  }

  private element(): XmlElement {
    const start = this.pos();
    this.i++; // '<'
    const name = this.name();
    const el: XmlElement = { type: 'element', name, attrs: [], children: [], line: start.line, column: start.column };
    for (;;) {
      const before = this.i;
      this.skipWs();
      if (this.startsWith('/>')) {
        this.i += 2;
        return el;
      }
      if (this.s[this.i] === '>') {
        this.i++;
        break;
      }
      if (this.i === before) this.fail(`'${this.s[this.i] ?? 'EOF'}' is an unexpected token. Expecting white space.`);
      el.attrs.push(this.attribute(el));
    }
    this.content(el);
    return el;
  }

  private attribute(el: XmlElement): XmlAttr {
    const p = this.pos();
    const name = this.name();
    if (el.attrs.some((a) => a.name === name)) this.fail(`'${name}' is a duplicate attribute name.`);
    this.skipWs();
    if (this.s[this.i] !== '=') this.fail(`'${this.s[this.i] ?? 'EOF'}' is an unexpected token. The expected token is '='.`);
    this.i++;
    this.skipWs();
    const q = this.s[this.i];
    if (q !== '"' && q !== "'") this.fail(`'${q ?? 'EOF'}' is an unexpected token. The expected token is '"' or '''.`);
    this.i++;
    let value: string;
    if (this.raw && this.atExpression()) {
      const end = scanExpression(this.s, this.i + 1);
      if (end < 0) this.fail('Unterminated policy expression.');
      value = decodeLenient(this.s.slice(this.i, end));
      this.i = end;
      if (this.s[this.i] !== q) this.fail(`'${this.s[this.i] ?? 'EOF'}' is an unexpected token. Expecting white space.`);
    } else {
      const end = this.s.indexOf(q, this.i);
      if (end < 0) this.fail('Unexpected end of file has occurred.');
      const rawValue = this.s.slice(this.i, end);
      const lt = rawValue.indexOf('<');
      if (lt >= 0) this.fail("'<', hexadecimal value 0x3C, is an invalid attribute character.", this.i + lt);
      value = this.decode(rawValue, this.i);
      this.i = end;
    }
    this.i++;
    return { name, value, line: p.line, column: p.column };
  }

  private decode(text: string, offset: number): string {
    return text.replace(/&([^;&\s]*);?/g, (m, ent: string, idx: number) => {
      if (!m.endsWith(';')) this.fail("An error occurred while parsing EntityName.", offset + idx);
      return decodeReference(ent) ?? this.fail(`Reference to undeclared entity '${ent}'.`, offset + idx);
    });
  }

  private content(el: XmlElement): void {
    for (;;) {
      if (this.i >= this.s.length) this.fail(`Unexpected end of file has occurred. The following elements are not closed: ${el.name}.`);
      if (this.startsWith('</')) {
        const at = this.i;
        this.i += 2;
        const name = this.name();
        this.skipWs();
        if (this.s[this.i] !== '>') this.fail(`'${this.s[this.i] ?? 'EOF'}' is an unexpected token. The expected token is '>'.`);
        if (name !== el.name) this.fail(`The '${el.name}' start tag on line ${el.line} position ${el.column} does not match the end tag of '${name}'.`, at);
        this.i++;
        return;
      }
      if (this.startsWith('<!--')) this.comment();
      else if (this.startsWith('<![CDATA[')) {
        const p = this.pos();
        const end = this.s.indexOf(']]>', this.i);
        if (end < 0) this.fail('Unexpected end of file while parsing CDATA has occurred.');
        el.children.push({ type: 'text', text: this.s.slice(this.i + 9, end), line: p.line, column: p.column });
        this.i = end + 3;
      } else if (this.startsWith('<?')) this.pi();
      else if (this.s[this.i] === '<') el.children.push(this.element());
      else this.text(el);
    }
  }

  private text(el: XmlElement): void {
    const p = this.pos();
    let lead = this.i;
    while (lead < this.s.length && /\s/.test(this.s[lead])) lead++;
    if (this.raw && this.atExpression(lead)) {
      const end = scanExpression(this.s, lead + 1);
      if (end < 0) this.fail('Unterminated policy expression.', lead);
      el.children.push({ type: 'text', text: decodeLenient(this.s.slice(this.i, end)), line: p.line, column: p.column });
      this.i = end;
      return;
    }
    let end = this.s.indexOf('<', this.i);
    if (end < 0) end = this.s.length;
    el.children.push({ type: 'text', text: this.decode(this.s.slice(this.i, end), this.i), line: p.line, column: p.column });
    this.i = end;
  }
}

export const childElements = (el: XmlElement): XmlElement[] => el.children.filter((c): c is XmlElement => c.type === 'element');

/** The element's text content (text and CDATA children joined), trimmed. */
export const textOf = (el: XmlElement): string =>
  el.children
    .filter((c): c is XmlText => c.type === 'text')
    .map((c) => c.text)
    .join('')
    .trim();

export const attr = (el: XmlElement, name: string): string | undefined => el.attrs.find((a) => a.name === name)?.value;
