// Policy expressions. Real APIM compiles C# (`@(…)` single expression, `@{…}` statement block). The local gateway
// does not run C#; it understands a small, documented subset of single expressions and rejects everything
// else when the policy is PUT (compileExpression returns an error naming the construct), so nothing silently
// behaves differently from Azure.
//
// Supported grammar:
//   expr    := or ;  or := and ('||' and)* ; and := eq ('&&' eq)* ; eq := add (('=='|'!=') add)*
//   add     := coal ('+' coal)* ;  coal := unary ('??' unary)* ;  unary := '!' unary | cast | postfix
//   cast    := '(' ('string'|'int'|'bool') ')' unary
//   postfix := primary ( ('.'|'?.') Ident [ '(' args ')' ] | '[' expr ']' )*
//   primary := 'context' | 'Guid' | 'String' | 'string' | "literal" | @"literal" | number | true | false | null | '(' expr ')'
// Roots and members (the documented context variables, api-management-policy-expressions.md):
//   context.RequestId, .Request{Method, IpAddress, Headers, Url, OriginalUrl, MatchedParameters},
//   Url{Path, Query, Host, Scheme, Port, QueryString}, .Response{StatusCode, StatusReason, Headers},
//   .Subscription{Id, Name, Key, PrimaryKey, SecondaryKey}, .Product{Id, Name}, .Api{Id, Name, Path, Revision,
//   Version}, .Operation{Id, Name, Method, UrlTemplate}, .Deployment{Region, ServiceName, ServiceId, GatewayId},
//   .Variables, .LastError{Source, Reason, Message, Scope, Section, Path, PolicyId}, .User{Id, Email} (always
//   null: no users are emulated). Dictionaries: GetValueOrDefault(key[, default]), ContainsKey(key), [key].
//   Strings: ToString, ToUpper, ToLower, ToUpperInvariant, ToLowerInvariant, Trim, Contains, StartsWith,
//   EndsWith, Replace, Equals, Length. Guid.NewGuid(), String.IsNullOrEmpty(x).

import { randomUUID } from 'node:crypto';

type T =
  | 'Context' | 'Request' | 'Response' | 'Url' | 'Subscription' | 'Product' | 'Api' | 'Operation' | 'Deployment'
  | 'LastError' | 'User' | 'Dict' | 'string' | 'number' | 'bool' | 'any' | 'GuidType' | 'StringType';

const MEMBERS: Partial<Record<T, Record<string, T>>> = {
  Context: { RequestId: 'string', Request: 'Request', Response: 'Response', Subscription: 'Subscription', Product: 'Product', Api: 'Api', Operation: 'Operation', Deployment: 'Deployment', Variables: 'Dict', LastError: 'LastError', User: 'User' },
  Request: { Method: 'string', IpAddress: 'string', Headers: 'Dict', Url: 'Url', OriginalUrl: 'Url', MatchedParameters: 'Dict' },
  Url: { Path: 'string', Query: 'Dict', Host: 'string', Scheme: 'string', Port: 'number', QueryString: 'string' },
  Response: { StatusCode: 'number', StatusReason: 'string', Headers: 'Dict' },
  Subscription: { Id: 'string', Name: 'string', Key: 'string', PrimaryKey: 'string', SecondaryKey: 'string' },
  Product: { Id: 'string', Name: 'string' },
  Api: { Id: 'string', Name: 'string', Path: 'string', Revision: 'string', Version: 'string' },
  Operation: { Id: 'string', Name: 'string', Method: 'string', UrlTemplate: 'string' },
  Deployment: { Region: 'string', ServiceName: 'string', ServiceId: 'string', GatewayId: 'string' },
  LastError: { Source: 'string', Reason: 'string', Message: 'string', Scope: 'string', Section: 'string', Path: 'string', PolicyId: 'string' },
  User: { Id: 'string', Email: 'string' },
  string: { Length: 'number' },
  any: { Length: 'number' },
};

const STRING_METHODS: Record<string, [number, number, T]> = {
  ToString: [0, 0, 'string'], ToUpper: [0, 0, 'string'], ToLower: [0, 0, 'string'], ToUpperInvariant: [0, 0, 'string'],
  ToLowerInvariant: [0, 0, 'string'], Trim: [0, 0, 'string'], Contains: [1, 1, 'bool'], StartsWith: [1, 1, 'bool'],
  EndsWith: [1, 1, 'bool'], Replace: [2, 2, 'string'], Equals: [1, 1, 'bool'],
};
const METHODS: Partial<Record<T, Record<string, [number, number, T]>>> = {
  Dict: { GetValueOrDefault: [1, 2, 'any'], ContainsKey: [1, 1, 'bool'] },
  string: STRING_METHODS,
  any: STRING_METHODS,
  number: { ToString: [0, 0, 'string'] },
  bool: { ToString: [0, 0, 'string'] },
  GuidType: { NewGuid: [0, 0, 'string'] },
  StringType: { IsNullOrEmpty: [1, 1, 'bool'] },
};

type Ast =
  | { k: 'lit'; v: string | number | boolean | null }
  | { k: 'root'; name: 'context' | 'Guid' | 'String' }
  | { k: 'member'; obj: Ast; name: string; nc: boolean }
  | { k: 'call'; obj: Ast; name: string; nc: boolean; args: Ast[] }
  | { k: 'index'; obj: Ast; key: Ast }
  | { k: 'bin'; op: string; l: Ast; r: Ast }
  | { k: 'not'; e: Ast }
  | { k: 'cast'; to: string; e: Ast };

export class ExpressionError extends Error {}
/** A failure while evaluating (APIM: ExpressionValueEvaluationFailure → 500). */
export class ExpressionRuntimeError extends Error {}

/** Runtime dictionary: headers, query, matched parameters, variables. */
export class ExprDict {
  private readonly lookup: (key: string) => unknown;
  constructor(lookup: (key: string) => unknown) {
    this.lookup = lookup;
  }
  get(key: string): unknown {
    return this.lookup(key);
  }
}

export type ExprValue = string | number | boolean | null | undefined | ExprDict | { [k: string]: unknown };

export interface CompiledExpression {
  source: string;
  evaluate(context: Record<string, unknown>): unknown;
}

export const isExpression = (v: string): boolean => /^\s*@[({]/.test(v);

export function compileExpression(source: string): CompiledExpression | ExpressionError {
  const s = source.trim();
  if (s.startsWith('@{')) return new ExpressionError('multi-statement policy expressions (@{ … }) are not supported by the local gateway; use a single @( … ) expression from the supported subset');
  if (!s.startsWith('@(') || !s.endsWith(')')) return new ExpressionError('a policy expression must be a whole value of the form @( … )');
  try {
    const p = new ExprParser(s.slice(2, -1));
    const ast = p.parseAll();
    typeOf(ast);
    return { source: s, evaluate: (context) => evaluate(ast, context) };
  } catch (e) {
    return e instanceof ExpressionError ? e : new ExpressionError(String(e));
  }
}

const TOKEN = /\s*(?:(@"(?:[^"]|"")*")|("(?:[^"\\]|\\.)*")|('(?:[^'\\]|\\.)')|(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(\?\.|\?\?|==|!=|&&|\|\||[.()[\],+!]))/y;

class ExprParser {
  private readonly toks: string[] = [];
  private p = 0;
  constructor(src: string) {
    TOKEN.lastIndex = 0;
    let at = 0;
    while (at < src.length) {
      if (/^\s*$/.test(src.slice(at))) break;
      TOKEN.lastIndex = at;
      const m = TOKEN.exec(src);
      if (!m) throw new ExpressionError(`unsupported syntax near '${src.slice(at).trim().slice(0, 20)}'`);
      this.toks.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? m[6]);
      at = TOKEN.lastIndex;
    }
  }
  private peek(): string | undefined {
    return this.toks[this.p];
  }
  private eat(t: string): boolean {
    if (this.toks[this.p] === t) {
      this.p++;
      return true;
    }
    return false;
  }
  private expect(t: string): void {
    if (!this.eat(t)) throw new ExpressionError(`expected '${t}' but found '${this.peek() ?? 'end of expression'}'`);
  }
  parseAll(): Ast {
    const e = this.binary(0);
    if (this.p < this.toks.length) throw new ExpressionError(`unsupported syntax near '${this.peek()}'`);
    return e;
  }
  private static readonly LEVELS = [['||'], ['&&'], ['==', '!='], ['+'], ['??']];
  private binary(level: number): Ast {
    if (level === ExprParser.LEVELS.length) return this.unary();
    let l = this.binary(level + 1);
    for (;;) {
      const op = this.peek();
      if (!op || !ExprParser.LEVELS[level].includes(op)) return l;
      this.p++;
      l = { k: 'bin', op, l, r: this.binary(level + 1) };
    }
  }
  private unary(): Ast {
    if (this.eat('!')) return { k: 'not', e: this.unary() };
    if (this.peek() === '(' && ['string', 'int', 'bool'].includes(this.toks[this.p + 1]) && this.toks[this.p + 2] === ')') {
      const to = this.toks[this.p + 1];
      this.p += 3;
      return { k: 'cast', to, e: this.unary() };
    }
    return this.postfix();
  }
  private postfix(): Ast {
    let e = this.primary();
    for (;;) {
      const t = this.peek();
      if (t === '.' || t === '?.') {
        this.p++;
        const name = this.toks[this.p++];
        if (!name || !/^[A-Za-z_]/.test(name)) throw new ExpressionError(`expected a member name after '${t}'`);
        if (this.eat('(')) {
          const args: Ast[] = [];
          if (!this.eat(')')) {
            do args.push(this.binary(0));
            while (this.eat(','));
            this.expect(')');
          }
          e = { k: 'call', obj: e, name, nc: t === '?.', args };
        } else e = { k: 'member', obj: e, name, nc: t === '?.' };
      } else if (t === '[') {
        this.p++;
        const key = this.binary(0);
        this.expect(']');
        e = { k: 'index', obj: e, key };
      } else return e;
    }
  }
  private primary(): Ast {
    const t = this.toks[this.p++];
    if (t === undefined) throw new ExpressionError('unexpected end of expression');
    if (t === '(') {
      const e = this.binary(0);
      this.expect(')');
      return e;
    }
    if (t.startsWith('@"')) return { k: 'lit', v: t.slice(2, -1).replace(/""/g, '"') };
    if (t.startsWith('"')) return { k: 'lit', v: unescapeCs(t.slice(1, -1)) };
    if (t.startsWith("'")) return { k: 'lit', v: unescapeCs(t.slice(1, -1)) };
    if (/^\d/.test(t)) return { k: 'lit', v: Number(t) };
    if (t === 'true' || t === 'false') return { k: 'lit', v: t === 'true' };
    if (t === 'null') return { k: 'lit', v: null };
    if (t === 'context' || t === 'Guid') return { k: 'root', name: t };
    if (t === 'String' || t === 'string') return { k: 'root', name: 'String' };
    throw new ExpressionError(`'${t}' is not supported by the local gateway (supported roots: context, Guid, String)`);
  }
}

function unescapeCs(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '0': '\0' })[c] ?? c);
}

function typeOf(a: Ast): T {
  switch (a.k) {
    case 'lit':
      return a.v === null ? 'any' : typeof a.v === 'number' ? 'number' : typeof a.v === 'boolean' ? 'bool' : 'string';
    case 'root':
      return a.name === 'context' ? 'Context' : a.name === 'Guid' ? 'GuidType' : 'StringType';
    case 'member': {
      const t = typeOf(a.obj);
      const m = MEMBERS[t]?.[a.name];
      if (!m) throw new ExpressionError(`'${a.name}' is not a supported member here (${t}) in the local gateway`);
      return m;
    }
    case 'call': {
      const t = typeOf(a.obj);
      const m = METHODS[t]?.[a.name];
      if (!m) throw new ExpressionError(`method '${a.name}' is not supported here (${t}) in the local gateway`);
      if (a.args.length < m[0] || a.args.length > m[1]) throw new ExpressionError(`'${a.name}' takes ${m[0] === m[1] ? m[0] : `${m[0]}-${m[1]}`} argument(s)`);
      a.args.forEach(typeOf);
      return m[2];
    }
    case 'index':
      if (typeOf(a.obj) !== 'Dict') throw new ExpressionError('indexing is supported only on dictionaries (Headers, Query, MatchedParameters, Variables)');
      typeOf(a.key);
      return 'any';
    case 'bin':
      typeOf(a.l);
      typeOf(a.r);
      return a.op === '+' ? 'string' : a.op === '??' ? 'any' : 'bool';
    case 'not':
      typeOf(a.e);
      return 'bool';
    case 'cast':
      typeOf(a.e);
      return a.to === 'int' ? 'number' : a.to === 'bool' ? 'bool' : 'string';
  }
}

const GUID_ROOT = Object.freeze({ root: 'Guid' });
const STRING_ROOT = Object.freeze({ root: 'String' });
const NRE = 'Object reference not set to an instance of an object.';

/** .NET's ToString of a value. */
export function stringify(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  return typeof v === 'object' && 'toString' in v && v.toString !== Object.prototype.toString ? String(v) : JSON.stringify(v);
}

function evaluate(a: Ast, ctx: Record<string, unknown>): unknown {
  switch (a.k) {
    case 'lit':
      return a.v;
    case 'root':
      return a.name === 'context' ? ctx : a.name === 'Guid' ? GUID_ROOT : STRING_ROOT;
    case 'member': {
      const o = evaluate(a.obj, ctx);
      if (o === null || o === undefined) {
        if (a.nc) return null;
        throw new ExpressionRuntimeError(NRE);
      }
      if (typeof o === 'string') return o.length;
      const v = (o as Record<string, unknown>)[a.name];
      return typeof v === 'function' ? (v as () => unknown)() : (v ?? null);
    }
    case 'index': {
      const o = evaluate(a.obj, ctx);
      if (!(o instanceof ExprDict)) throw new ExpressionRuntimeError(NRE);
      const v = o.get(stringify(evaluate(a.key, ctx)));
      if (v === undefined) throw new ExpressionRuntimeError('The given key was not present in the dictionary.');
      return v;
    }
    case 'call':
      return call(a, ctx);
    case 'bin': {
      if (a.op === '&&') return truthy(evaluate(a.l, ctx)) && truthy(evaluate(a.r, ctx));
      if (a.op === '||') return truthy(evaluate(a.l, ctx)) || truthy(evaluate(a.r, ctx));
      const l = evaluate(a.l, ctx);
      if (a.op === '??') return l ?? evaluate(a.r, ctx);
      const r = evaluate(a.r, ctx);
      if (a.op === '+') return typeof l === 'number' && typeof r === 'number' ? l + r : stringify(l) + stringify(r);
      const eq = (l ?? null) === (r ?? null);
      return a.op === '==' ? eq : !eq;
    }
    case 'not':
      return !truthy(evaluate(a.e, ctx));
    case 'cast': {
      const v = evaluate(a.e, ctx);
      if (a.to === 'string') return v === null || v === undefined ? null : stringify(v);
      if (a.to === 'bool') return truthy(v);
      const n = typeof v === 'number' ? v : Number.parseInt(stringify(v), 10);
      if (Number.isNaN(n)) throw new ExpressionRuntimeError('Specified cast is not valid.');
      return n;
    }
  }
}

function truthy(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.toLowerCase() === 'true';
  throw new ExpressionRuntimeError('Specified cast is not valid.');
}

function call(a: Extract<Ast, { k: 'call' }>, ctx: Record<string, unknown>): unknown {
  const o = evaluate(a.obj, ctx);
  const args = a.args.map((x) => evaluate(x, ctx));
  if (o === GUID_ROOT) return randomUUID();
  if (o === STRING_ROOT) return args[0] === null || args[0] === undefined || args[0] === '';
  if (o === null || o === undefined) {
    if (a.nc) return null;
    throw new ExpressionRuntimeError(NRE);
  }
  if (o instanceof ExprDict) {
    const v = o.get(stringify(args[0]));
    if (a.name === 'ContainsKey') return v !== undefined;
    return v === undefined ? (args.length > 1 ? args[1] : null) : v;
  }
  const s = stringify(o);
  const arg = (i: number): string => stringify(args[i]);
  switch (a.name) {
    case 'ToString': return s;
    case 'ToUpper': case 'ToUpperInvariant': return s.toUpperCase();
    case 'ToLower': case 'ToLowerInvariant': return s.toLowerCase();
    case 'Trim': return s.trim();
    case 'Contains': return s.includes(arg(0));
    case 'StartsWith': return s.startsWith(arg(0));
    case 'EndsWith': return s.endsWith(arg(0));
    case 'Replace': return s.split(arg(0)).join(arg(1));
    case 'Equals': return s === arg(0);
    default: throw new ExpressionRuntimeError(`method '${a.name}' is not supported`);
  }
}
