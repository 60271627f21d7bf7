// Checks a plan step's literal arguments against the tool's input schema before anything runs.
// Expression values are unknown until run time, so they count as "any": errors at or below an
// expression, and composite errors (anyOf, oneOf, ...) above one, are dropped. The catalog checks
// the resolved arguments again when the call is made.
// The catalog's compiled schemas are reused; here the raw errors are needed, not its joined message.
import type { ErrorObject } from 'ajv';
import { compileSchema } from '../catalog/validate.js';
import { findExpressions } from './expressions.js';

const COMPOSITE = new Set(['anyOf', 'oneOf', 'allOf', 'not', 'if', 'then', 'else', 'dependentSchemas']);

export interface ArgumentProblem {
  /** Dotted path inside args, "" for the arguments object itself. */
  field: string;
  message: string;
}

export function literalArgumentProblems(schema: Record<string, unknown> | undefined, args: Record<string, unknown>): ArgumentProblem[] {
  const validate = compileSchema(schema);
  if (!validate || validate(args)) return [];
  const exprPaths = findExpressions(args).map((e) => e.path.join('/'));
  const under = (p: string, e: string) => p === e || p.startsWith(`${e}/`);
  const problems: ArgumentProblem[] = [];
  for (const err of validate.errors ?? []) {
    const path = err.instancePath.split('/').filter(Boolean).join('/');
    if (exprPaths.some((e) => under(path, e))) continue;
    if (COMPOSITE.has(err.keyword) && exprPaths.some((e) => path === '' || under(e, path))) continue;
    const problem = describe(err);
    if (!problems.some((p) => p.field === problem.field && p.message === problem.message)) problems.push(problem);
  }
  return problems;
}

function describe(e: ErrorObject): ArgumentProblem {
  const parts = e.instancePath.split('/').filter(Boolean);
  const field = parts.join('.');
  switch (e.keyword) {
    case 'required':
      return { field: [...parts, e.params.missingProperty as string].join('.'), message: 'is required but missing' };
    case 'additionalProperties':
      return { field: [...parts, e.params.additionalProperty as string].join('.'), message: 'is not a field of this tool' };
    case 'enum':
      return { field, message: `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    default:
      return { field, message: e.message ?? 'is invalid' };
  }
}
