// Checks a plan against the catalog before anything runs: shape, unique ids, tools exist, literal
// arguments fit each tool's input schema, expressions compile, references point to earlier steps,
// dependsOn ids exist, no cycles. Every issue names the step and the field, so a model (or a person)
// can fix the plan from the message alone.
import type { Tool } from '@modelcontextprotocol/client';
import { PlanSchema, isToolStep, type Plan, type Step } from './plan.js';
import { ExpressionError, compile, findExpressions, referencedSteps, templateSources, type FoundExpression } from './expressions.js';
import { literalArgumentProblems } from './literal-args.js';
import { compileSchema } from '../catalog/validate.js';

/** Finds a tool by its namespaced name; the hub's Catalog fits. */
export interface ToolLookup {
  getTool(name: string): { name: string; tool: Tool; server?: string } | undefined;
  /** Optional: names offered as "did you mean" for an unknown tool. */
  tools?(): Array<{ name: string; server?: string }>;
}

/** The server a catalog tool belongs to (its prefix is not always its name: servers.<name>.prefix). */
export function serverOfTool(tool: { name: string; server?: string }): string {
  return tool.server ?? tool.name.split('__')[0]!;
}

export interface ValidateOptions {
  /** The tools the planner offered the model: a plan using another is refused, saying so. */
  offered?: ReadonlySet<string>;
}

export interface PlanIssue {
  step?: string;
  field?: string;
  message: string;
}

export class PlanValidationError extends Error {
  constructor(readonly issues: PlanIssue[]) {
    super(`The plan is invalid:\n${formatIssues(issues)}`);
    this.name = 'PlanValidationError';
  }
}

export function formatIssue(i: PlanIssue): string {
  const where = [i.step && `step "${i.step}"`, i.field && `\`${i.field}\``].filter(Boolean).join(', ');
  return where ? `${where}: ${i.message}` : i.message;
}

export function formatIssues(issues: PlanIssue[]): string {
  return issues.map((i) => `- ${formatIssue(i)}`).join('\n');
}

/** The plan's shape (zod), with issues located by step id where possible. */
export function parsePlan(input: unknown): { plan?: Plan; issues: PlanIssue[] } {
  const parsed = PlanSchema.safeParse(input);
  if (parsed.success) return { plan: parsed.data, issues: [] };
  const steps = (input as { steps?: unknown })?.steps;
  const issues = parsed.error.issues.map((issue): PlanIssue => {
    const path = issue.path.map(String);
    if (path[0] === 'steps' && path.length > 1 && Array.isArray(steps)) {
      const raw = steps[Number(path[1])] as { id?: unknown } | undefined;
      const step = typeof raw?.id === 'string' ? raw.id : `#${Number(path[1]) + 1}`;
      return { step, field: path.slice(2).join('.') || undefined, message: shapeMessage(issue, raw) };
    }
    return { field: path.join('.') || undefined, message: issue.message };
  });
  return { issues };
}

function shapeMessage(issue: { code: string; message: string }, raw: unknown): string {
  // A union failure says little; say what a step must look like.
  if (issue.code === 'invalid_union') {
    const keys = raw && typeof raw === 'object' ? Object.keys(raw).join(', ') : typeof raw;
    return `is neither a tool step {id, tool, args, dependsOn?, forEach?} nor a prompt step {id, prompt, inputs?, dependsOn?, output?, outputSchema?} (has: ${keys})`;
  }
  return issue.message;
}

/** The steps a step waits for: its dependsOn and the steps its expressions read. */
export function stepDependencies(step: Step): Set<string> {
  const deps = new Set(step.dependsOn ?? []);
  for (const found of stepExpressions(step)) {
    for (const source of found.sources) {
      try {
        for (const id of referencedSteps(source).ids) deps.add(id);
      } catch {
        // Invalid expressions are reported by validatePlan.
      }
    }
  }
  return deps;
}

function stepExpressions(step: Step): FoundExpression[] {
  if (isToolStep(step)) {
    const found = findExpressions(step.args, ['args']);
    if (step.forEach) found.unshift({ path: ['forEach'], kind: 'forEach', sources: [step.forEach] });
    return found;
  }
  return [
    ...findExpressions(step.inputs ?? {}, ['inputs']),
    // A prompt may hold {{ }} interpolations too.
    { path: ['prompt'], kind: '$template' as const, sources: templateSources(step.prompt) },
  ].filter((f) => f.sources.length);
}

/** All issues of a parsed plan; empty when it may run. */
export function validatePlan(plan: Plan, tools: ToolLookup, options: ValidateOptions = {}): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const position = new Map<string, number>();
  plan.steps.forEach((step, i) => {
    if (position.has(step.id)) issues.push({ step: step.id, field: 'id', message: `is used by another step too; step ids must be unique` });
    else position.set(step.id, i);
  });

  plan.steps.forEach((step, i) => {
    if (isToolStep(step)) {
      const entry = tools.getTool(step.tool);
      if (!entry) issues.push({ step: step.id, field: 'tool', message: unknownTool(step.tool, tools) });
      else if (options.offered && !options.offered.has(step.tool)) {
        issues.push({ step: step.id, field: 'tool', message: `"${step.tool}" was not offered for this task; use only the tools listed (${[...options.offered].join(', ') || 'none'})` });
      } else {
        for (const p of literalArgumentProblems(entry.tool.inputSchema as Record<string, unknown>, step.args)) {
          issues.push({ step: step.id, field: p.field ? `args.${p.field}` : 'args', message: `${p.message} (input schema of ${step.tool})` });
        }
      }
    }
    if (!isToolStep(step) && step.outputSchema && !compileSchema(step.outputSchema)) {
      issues.push({ step: step.id, field: 'outputSchema', message: 'is not a valid JSON Schema' });
    }
    for (const found of stepExpressions(step)) {
      const field = found.path.join('.');
      for (const source of found.sources) {
        let refs;
        try {
          compile(source);
          refs = referencedSteps(source);
        } catch (err) {
          issues.push({ step: step.id, field, message: `expression ${JSON.stringify(source)} ${err instanceof ExpressionError ? err.message : String(err)}` });
          continue;
        }
        if (refs.dynamic) {
          issues.push({ step: step.id, field, message: `expression ${JSON.stringify(source)} reads \`steps\` without naming a step; write steps.<id>` });
        }
        for (const problem of fieldProblems(refs, plan, position, tools, step, found.path)) issues.push({ step: step.id, field, message: problem });
        for (const id of refs.ids) {
          const at = position.get(id);
          if (at === undefined) issues.push({ step: step.id, field, message: `refers to unknown step "${id}"${known(position)}` });
          else if (id === step.id) issues.push({ step: step.id, field, message: `refers to its own result; a step can only use results of earlier steps` });
          else if (at > i) issues.push({ step: step.id, field, message: `refers to step "${id}", which comes later; a step can only use results of earlier steps` });
        }
      }
    }
    for (const id of step.dependsOn ?? []) {
      if (!position.has(id)) issues.push({ step: step.id, field: 'dependsOn', message: `names unknown step "${id}"${known(position)}` });
      else if (id === step.id) issues.push({ step: step.id, field: 'dependsOn', message: 'names the step itself' });
    }
  });

  const cycle = findCycle(plan);
  if (cycle) issues.push({ step: cycle[0], field: 'dependsOn', message: `forms a cycle: ${cycle.join(' -> ')}` });
  return issues;
}

type SchemaNode = { type?: unknown; properties?: Record<string, SchemaNode>; items?: unknown; additionalProperties?: unknown; patternProperties?: unknown };

/** What a step's result looks like, where the plan can know: its tool's outputSchema (an array of them under forEach), or a prompt step's outputSchema. */
function resultSchema(step: Step, tools: ToolLookup): SchemaNode | undefined {
  const schema = isToolStep(step) ? (tools.getTool(step.tool)?.tool.outputSchema as SchemaNode | undefined) : (step.outputSchema as SchemaNode | undefined);
  if (!schema || typeof schema !== 'object') return undefined;
  return isToolStep(step) && step.forEach ? { type: 'array', items: schema } : schema;
}

function typeOf(node: SchemaNode | undefined): string | undefined {
  return typeof node?.type === 'string' ? node.type : undefined;
}

/**
 * References that read a field the referenced step's result cannot have (by its outputSchema), and an
 * argument that is exactly such a field but of another type than the tool's input schema asks. Only where
 * the schemas say: a result without a schema, or a field under additionalProperties, is not checked.
 */
function fieldProblems(refs: ReturnType<typeof referencedSteps>, plan: Plan, position: Map<string, number>, tools: ToolLookup, step: Step, where: string[]): string[] {
  const problems: string[] = [];
  for (const { id, path } of refs.fields) {
    const at = position.get(id);
    if (at === undefined || id === step.id) continue;
    const source = plan.steps[at]!;
    let node = resultSchema(source, tools);
    let mapped = false;
    const walked: string[] = [];
    for (const name of path) {
      if (!node) break;
      if (typeOf(node) === 'array' || node.items) {
        node = (node.items && typeof node.items === 'object' ? node.items : undefined) as SchemaNode | undefined;
        mapped = true;
        if (!node) break;
      }
      const props = node.properties;
      if (!props || node.additionalProperties === true || (node.additionalProperties && typeof node.additionalProperties === 'object') || node.patternProperties) {
        node = props?.[name];
        if (!node) break;
      } else if (!(name in props)) {
        const owner = isToolStep(source) ? `the output schema of ${source.tool}` : `step "${id}"'s outputSchema`;
        problems.push(`reads steps.${[id, ...walked, name].join('.')}, but ${owner} has no field "${name}" there (it has: ${Object.keys(props).join(', ') || 'none'})`);
        node = undefined;
        break;
      } else node = props[name];
      walked.push(name);
    }
    // An argument that is exactly this field: its type against the input schema's (top-level arguments only).
    const single = refs.single;
    if (node && !mapped && single && single.id === id && single.path.length === path.length && isToolStep(step) && where[0] === 'args' && where.length === 2) {
      const input = tools.getTool(step.tool)?.tool.inputSchema as SchemaNode | undefined;
      const want = typeOf(input?.properties?.[where[1]!]);
      const have = typeOf(node);
      const fits = !want || !have || want === have || (want === 'number' && have === 'integer');
      if (!fits) problems.push(`gives a ${have} (steps.${[id, ...path].join('.')} in the output schema of ${isToolStep(source) ? source.tool : `step "${id}"`}), but ${step.tool} wants a ${want} for "${where[1]}"`);
    }
  }
  return problems;
}

/** Parses and validates; throws PlanValidationError with every issue. */
export function checkPlan(input: unknown, tools: ToolLookup): Plan {
  const { plan, issues } = parsePlan(input);
  if (!plan) throw new PlanValidationError(issues);
  const more = validatePlan(plan, tools);
  if (more.length) throw new PlanValidationError(more);
  return plan;
}

function findCycle(plan: Plan): string[] | undefined {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const walk = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    const step = byId.get(id);
    if (!step) return undefined;
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of stepDependencies(step)) {
      if (dep === id) continue;
      const cycle = walk(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const step of plan.steps) {
    const cycle = walk(step.id);
    if (cycle) return cycle;
  }
  return undefined;
}

function known(position: Map<string, number>): string {
  return position.size ? ` (steps: ${[...position.keys()].join(', ')})` : '';
}

function unknownTool(name: string, tools: ToolLookup): string {
  const tail = (n: string) => (n.split('__').at(-1) ?? n).toLowerCase();
  const needle = tail(name);
  // Either name inside the other: "create_tasks" finds "create_task" and the other way round.
  const close = (tools.tools?.() ?? [])
    .map((t) => t.name)
    .filter((n) => tail(n).includes(needle) || needle.includes(tail(n)))
    .sort((a, b) => Math.abs(tail(a).length - needle.length) - Math.abs(tail(b).length - needle.length))
    .slice(0, 5);
  return `unknown tool "${name}"${close.length ? `; did you mean ${close.join(', ')}?` : ''} (use only the tools listed for this task)`;
}
