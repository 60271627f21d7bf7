// Xero's list parameters over records in their wire form (PascalCase): `where` (a .NET-style filter such as
// `Status=="AUTHORISED" AND Contact.ContactID==guid("...")`), `order` ("UpdatedDateUTC DESC, Name"), and
// `page` / `pageSize`. Supported filter syntax: AND/&&, OR/||, NOT/!, parentheses, == = != > >= < <=,
// "strings", guid("..."), DateTime(y,m,d[,h,m,s]), numbers, true/false/null, and .Contains/.StartsWith/
// .EndsWith("..."). Anything else is refused the way Xero refuses a filter it cannot parse (400).
import type { Pagination } from './wire.js';
import { parseMsDate } from './wire.js';

type Json = Record<string, unknown>;

/** A filter or order Xero cannot use: answered as 400 QueryParseException. */
export class QueryError extends Error {}

type Token = { kind: 'str' | 'num' | 'id' | 'op' | 'punct'; text: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (/\s/.test(ch)) { i++; continue; }
    if (ch === '"') {
      let text = '';
      for (i++; i < input.length && input[i] !== '"'; i++) text += input[i] === '\\' ? input[++i] : input[i];
      if (i >= input.length) throw new QueryError(`Unterminated string literal in '${input}'`);
      i++;
      tokens.push({ kind: 'str', text });
      continue;
    }
    const op = /^(==|!=|>=|<=|&&|\|\||[=<>!])/.exec(input.slice(i));
    if (op) { tokens.push({ kind: 'op', text: op[1] }); i += op[1].length; continue; }
    if ('(),'.includes(ch)) { tokens.push({ kind: 'punct', text: ch }); i++; continue; }
    const num = /^-?\d+(\.\d+)?/.exec(input.slice(i));
    if (num) { tokens.push({ kind: 'num', text: num[0] }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][\w.]*/.exec(input.slice(i));
    if (id) { tokens.push({ kind: 'id', text: id[0] }); i += id[0].length; continue; }
    throw new QueryError(`Syntax error '${ch}' in '${input}'`);
  }
  return tokens;
}

type Expr = (row: Json) => unknown;
const METHODS = ['Contains', 'StartsWith', 'EndsWith'] as const;

/** A field's value, with Xero dates as milliseconds so they compare with DateTime(...). */
function fieldOf(row: Json, path: string): unknown {
  let value: unknown = row;
  for (const part of path.split('.')) value = value && typeof value === 'object' ? (value as Json)[part] : undefined;
  return parseMsDate(value) ?? value;
}

class Parser {
  private pos = 0;
  readonly fields = new Set<string>();
  constructor(private readonly tokens: Token[], private readonly source: string) {}

  parse(): Expr {
    const expr = this.or();
    if (this.pos < this.tokens.length) throw new QueryError(`Syntax error at '${this.tokens[this.pos].text}' in '${this.source}'`);
    return expr;
  }
  private peek(): Token | undefined { return this.tokens[this.pos]; }
  private next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw new QueryError(`Unexpected end of expression '${this.source}'`);
    return t;
  }
  private isWord(...words: string[]) {
    const t = this.peek();
    return !!t && ((t.kind === 'id' && words.includes(t.text.toUpperCase())) || (t.kind === 'op' && words.includes(t.text)));
  }
  private expect(text: string) {
    const t = this.next();
    if (t.text !== text) throw new QueryError(`'${text}' expected, found '${t.text}' in '${this.source}'`);
  }
  private or(): Expr {
    let left = this.and();
    while (this.isWord('OR', '||')) { this.pos++; const l = left, r = this.and(); left = (row) => Boolean(l(row)) || Boolean(r(row)); }
    return left;
  }
  private and(): Expr {
    let left = this.unary();
    while (this.isWord('AND', '&&')) { this.pos++; const l = left, r = this.unary(); left = (row) => Boolean(l(row)) && Boolean(r(row)); }
    return left;
  }
  private unary(): Expr {
    if (this.isWord('NOT', '!')) { this.pos++; const e = this.unary(); return (row) => !e(row); }
    return this.comparison();
  }
  private comparison(): Expr {
    const left = this.operand();
    const t = this.peek();
    if (!t || t.kind !== 'op' || ['&&', '||', '!'].includes(t.text)) return left;
    this.pos++;
    const right = this.operand();
    const cmp = COMPARE[t.text];
    return (row) => cmp(normalise(left(row)), normalise(right(row)));
  }
  private operand(): Expr {
    const t = this.next();
    if (t.kind === 'str') return () => t.text;
    if (t.kind === 'num') return () => Number(t.text);
    if (t.kind === 'punct' && t.text === '(') { const e = this.or(); this.expect(')'); return e; }
    if (t.kind !== 'id') throw new QueryError(`Syntax error at '${t.text}' in '${this.source}'`);
    const word = t.text;
    const lower = word.toLowerCase();
    if (lower === 'true' || lower === 'false') return () => lower === 'true';
    if (lower === 'null') return () => null;
    if (lower === 'guid' || lower === 'datetime') {
      const args = this.args();
      if (lower === 'guid') {
        if (args.length !== 1 || typeof args[0] !== 'string') throw new QueryError(`guid() takes one string in '${this.source}'`);
        return () => String(args[0]).toLowerCase();
      }
      const [y, m = 1, d = 1, h = 0, min = 0, s = 0] = args.map(Number);
      if (args.length < 3 || [y, m, d].some(Number.isNaN)) throw new QueryError(`DateTime() takes year, month, day in '${this.source}'`);
      return () => Date.UTC(y, m - 1, d, h, min, s);
    }
    const method = METHODS.find((name) => word.endsWith(`.${name}`));
    if (method && this.peek()?.text === '(') {
      const path = word.slice(0, -(method.length + 1));
      this.fields.add(path);
      const [arg] = this.args();
      return (row) => {
        const value = fieldOf(row, path);
        if (typeof value !== 'string') return false;
        const needle = String(arg);
        return method === 'Contains' ? value.includes(needle) : method === 'StartsWith' ? value.startsWith(needle) : value.endsWith(needle);
      };
    }
    this.fields.add(word);
    return (row) => fieldOf(row, word);
  }
  private args(): unknown[] {
    this.expect('(');
    const values: unknown[] = [];
    while (this.peek()?.text !== ')') {
      const t = this.next();
      if (t.kind === 'str') values.push(t.text);
      else if (t.kind === 'num') values.push(Number(t.text));
      else throw new QueryError(`Syntax error at '${t.text}' in '${this.source}'`);
      if (this.peek()?.text === ',') this.pos++;
    }
    this.expect(')');
    return values;
  }
}

// GUIDs compare without regard to case, as Xero's do.
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const normalise = (v: unknown) => (typeof v === 'string' && GUID.test(v) ? v.toLowerCase() : v);
const order = (a: unknown, b: unknown) => (a === b ? 0 : a === null || a === undefined ? -1 : b === null || b === undefined ? 1 : (a as number) < (b as number) ? -1 : 1);
const COMPARE: Record<string, (a: unknown, b: unknown) => boolean> = {
  '==': (a, b) => (a ?? null) === (b ?? null),
  '=': (a, b) => (a ?? null) === (b ?? null),
  '!=': (a, b) => (a ?? null) !== (b ?? null),
  '>': (a, b) => a != null && b != null && order(a, b) > 0,
  '>=': (a, b) => a != null && b != null && order(a, b) >= 0,
  '<': (a, b) => a != null && b != null && order(a, b) < 0,
  '<=': (a, b) => a != null && b != null && order(a, b) <= 0,
};

/** Rejects a field the records do not have, with the wording of .NET's dynamic LINQ (which Xero's filter uses). */
function checkFields(fields: Iterable<string>, rows: Json[], typeName: string): void {
  if (rows.length === 0) return;
  for (const path of fields) {
    const head = path.split('.')[0];
    if (!rows.some((row) => head in row)) throw new QueryError(`No property or field '${head}' exists in type '${typeName}'`);
  }
}

export function applyWhere(rows: Json[], where: string | null, typeName: string): Json[] {
  if (!where || !where.trim()) return rows;
  const parser = new Parser(tokenize(where), where);
  const predicate = parser.parse();
  checkFields(parser.fields, rows, typeName);
  return rows.filter((row) => Boolean(predicate(row)));
}

export function applyOrder(rows: Json[], orderBy: string | null, typeName: string): Json[] {
  if (!orderBy || !orderBy.trim()) return rows;
  const keys = orderBy.split(',').map((part) => {
    const [field, direction = 'ASC', ...rest] = part.trim().split(/\s+/);
    if (rest.length || !/^(ASC|DESC)$/i.test(direction)) throw new QueryError(`Syntax error in order '${orderBy}'`);
    return { field, sign: direction.toUpperCase() === 'DESC' ? -1 : 1 };
  });
  checkFields(keys.map((k) => k.field), rows, typeName);
  return [...rows].sort((a, b) => {
    for (const { field, sign } of keys) {
      const c = order(normalise(fieldOf(a, field)), normalise(fieldOf(b, field)));
      if (c) return c * sign;
    }
    return 0;
  });
}

/** A page of `rows` and Xero's pagination block; pageSize defaults to 100 and is capped at 1000, as Xero's. */
export function paginate<T>(rows: T[], page: number, pageSize: number | undefined): { rows: T[]; pagination: Pagination } {
  const size = Math.min(Math.max(1, pageSize ?? 100), 1000);
  const p = Math.max(1, page);
  return {
    rows: rows.slice((p - 1) * size, p * size),
    pagination: { page: p, pageSize: size, pageCount: Math.ceil(rows.length / size), itemCount: rows.length },
  };
}
