// The plan's expression language: {"$expr": jsonata} and {"$template": "..{{jsonata}}.."} values,
// compiled by JSONata (a side-effect-free query language; nothing is ever eval'd). Here: compiling
// (cached), finding the steps an expression reads (from the AST, never from the text), and resolving
// a value with its expressions evaluated against the run's context.
import { createRequire } from 'node:module';
import type jsonataModule from 'jsonata';

// JSONata is loaded at the first expression compiled, not when the hub starts (about 60-90 ms, and most
// starts never plan). It is a CommonJS package, so require() loads it synchronously and compile() stays sync.
let jsonataFn: typeof jsonataModule | undefined;
function jsonata(source: string): jsonataModule.Expression {
  jsonataFn ??= createRequire(import.meta.url)('jsonata') as typeof jsonataModule;
  return jsonataFn(source);
}

export interface ExprContext {
  steps: Record<string, unknown>;
  item?: unknown;
  index?: number;
  input?: unknown;
}

/** Where an expression sits inside a step, e.g. ["args", "name"], and its JSONata source(s). */
export interface FoundExpression {
  path: string[];
  kind: '$expr' | '$template' | 'forEach';
  sources: string[];
}

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly source: string,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

const CACHE_LIMIT = 500;
const cache = new Map<string, jsonataModule.Expression>();

export function compile(source: string): jsonataModule.Expression {
  const hit = cache.get(source);
  if (hit) return hit;
  let expr: jsonataModule.Expression;
  try {
    expr = jsonata(source);
  } catch (err) {
    const e = err as { message?: string; position?: number };
    throw new ExpressionError(`does not compile: ${e.message ?? String(err)}${e.position !== undefined ? ` (at character ${e.position})` : ''}`, source);
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(source, expr);
  return expr;
}

export function isExpr(value: unknown): value is { $expr: string } {
  return isObjectWithOnly(value, '$expr') && typeof (value as { $expr: unknown }).$expr === 'string';
}

export function isTemplate(value: unknown): value is { $template: string } {
  return isObjectWithOnly(value, '$template') && typeof (value as { $template: unknown }).$template === 'string';
}

function isObjectWithOnly(value: unknown, key: string): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === key;
}

const TEMPLATE_PART = /\{\{([\s\S]+?)\}\}/g;

/** The JSONata sources inside a template's {{ }}. */
export function templateSources(template: string): string[] {
  return [...template.matchAll(TEMPLATE_PART)].map((m) => m[1].trim());
}

/** Every expression inside a value (args, inputs), with its path. */
export function findExpressions(value: unknown, path: string[] = []): FoundExpression[] {
  if (isExpr(value)) return [{ path, kind: '$expr', sources: [value.$expr] }];
  if (isTemplate(value)) return [{ path, kind: '$template', sources: templateSources(value.$template) }];
  if (Array.isArray(value)) return value.flatMap((v, i) => findExpressions(v, [...path, String(i)]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => findExpressions(v, [...path, k]));
  return [];
}

export interface StepReferences {
  /** Step ids read as steps.<id> (or $steps.<id>, $$.steps.<id>). */
  ids: Set<string>;
  /** The expression reads `steps` without naming a step (steps.*, steps[...], $lookup(steps, ..)). */
  dynamic: boolean;
  /** Each `steps.<id>.<field>.<field>...` read: the step and the plain field names after it (up to the first that is not a plain name). */
  fields: Array<{ id: string; path: string[] }>;
  /** The whole expression is one such path and nothing else (its value is that field's). */
  single?: { id: string; path: string[] };
}

// The AST as plain data: jsonata's ExprNode type omits some node kinds ("path").
type Node = { type?: string; value?: unknown; steps?: unknown; stages?: unknown; group?: unknown; [key: string]: unknown };

/** The steps an expression reads, from its AST. Over-approximates (a field called "steps" counts), which is safe. */
export function referencedSteps(source: string): StepReferences {
  const refs: StepReferences = { ids: new Set(), dynamic: false, fields: [] };
  const ast = compile(source).ast() as unknown as Node;
  visit(ast, refs);
  if (ast.type === 'path' && refs.fields.length === 1) {
    const parts = ast.steps as Node[];
    const plainPath = parts.every((p) => (p.type === 'name' || p.type === 'variable') && !p.stages && !p.predicate && !p.group);
    if (plainPath && !ast.group && parts.length === refs.fields[0].path.length + 2) refs.single = refs.fields[0];
  }
  return refs;
}

function visit(node: unknown, refs: StepReferences): void {
  if (Array.isArray(node)) {
    for (const n of node) visit(n, refs);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const n = node as Node;
  if (n.type === 'path' && Array.isArray(n.steps)) {
    const parts = n.steps as Node[];
    // `$$.steps.x` and `$.steps.x` start with a root variable; skip it.
    const start = parts[0]?.type === 'variable' && (parts[0].value === '$' || parts[0].value === '') && isStepsNode(parts[1]) ? 1 : 0;
    if (isStepsNode(parts[start])) {
      const head = parts[start];
      const next = parts[start + 1];
      if (!head.stages && next?.type === 'name' && typeof next.value === 'string') {
        refs.ids.add(next.value);
        const path: string[] = [];
        if (!next.stages) {
          for (const p of parts.slice(start + 2)) {
            if (p.type !== 'name' || typeof p.value !== 'string') break;
            path.push(p.value);
            if (p.stages) break;
          }
        }
        refs.fields.push({ id: next.value, path });
      } else refs.dynamic = true;
      // The prefix is consumed; filters and later steps may hold more references.
      visit(head.stages, refs);
      visitPathParts(parts.slice(start + 1), refs);
    } else {
      visitPathParts(parts, refs);
    }
    visit(n.group, refs);
    return;
  }
  if (isStepsNode(n)) {
    refs.dynamic = true;
    return;
  }
  for (const [key, value] of Object.entries(n)) if (key !== 'value' || typeof value === 'object') visit(value, refs);
}

/** Inside a path, a name is a field of the current value (`item.steps` is no reference); only filters and sub-expressions are visited. */
function visitPathParts(parts: Node[], refs: StepReferences): void {
  for (const p of parts) {
    if (p.type === 'name') visit(p.stages, refs);
    else visit(p, refs);
  }
}

function isStepsNode(n: Node | undefined): n is Node {
  return !!n && (n.type === 'name' || n.type === 'variable') && n.value === 'steps';
}

/** Evaluates one JSONata source. Context fields are both the input (`steps.x`) and variables (`$steps.x`, handy inside filters). */
export async function evaluate(source: string, ctx: ExprContext): Promise<unknown> {
  const bindings: Record<string, unknown> = { steps: ctx.steps, input: ctx.input, item: ctx.item, index: ctx.index };
  try {
    return plain(await compile(source).evaluate(ctx, bindings));
  } catch (err) {
    if (err instanceof ExpressionError) throw err;
    const e = err as { message?: string };
    throw new ExpressionError(`failed: ${e.message ?? String(err)}`, source);
  }
}

/** A value with every expression in it evaluated; literals are returned as they are. */
export async function resolveValue(value: unknown, ctx: ExprContext): Promise<unknown> {
  if (isExpr(value)) return evaluate(value.$expr, ctx);
  if (isTemplate(value)) return renderTemplate(value.$template, ctx);
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveValue(v, ctx)));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const resolved = await resolveValue(v, ctx);
      // An expression that finds nothing leaves the field out, so optional arguments stay optional.
      if (resolved !== undefined) out[k] = resolved;
    }
    return out;
  }
  return value;
}

async function renderTemplate(template: string, ctx: ExprContext): Promise<string> {
  const parts: string[] = [];
  let last = 0;
  for (const m of template.matchAll(TEMPLATE_PART)) {
    parts.push(template.slice(last, m.index));
    const v = await evaluate(m[1].trim(), ctx);
    parts.push(v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
    last = m.index! + m[0].length;
  }
  parts.push(template.slice(last));
  return parts.join('');
}

/** JSONata marks its sequences with extra properties and may return functions; results are plain JSON. */
function plain(value: unknown): unknown {
  if (typeof value === 'function') return undefined;
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

/** forEach results: JSONata gives a lone match as a single value and no match as undefined. */
export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
