// Checks a plan step's literal arguments against the tool's input schema before anything runs.
// Expression values are unknown until run time, so they count as "any": errors at or below an
// expression, and composite errors (anyOf, oneOf, ...) above one, are dropped. The catalog checks
// the resolved arguments again when the call is made.
// Same Ajv setup as src/catalog/validate.ts, which returns a joined message; here the raw errors are needed.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { findExpressions } from './expressions.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const options = { allErrors: true, strict: false, validateSchema: false, logger: false } as const;
const draft07 = addFormats(new Ajv(options));
const draft2020 = addFormats(new Ajv2020(options) as unknown as Ajv);
const compiled = new WeakMap<object, ValidateFunction | null>();
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

function compileSchema(schema: Record<string, unknown> | undefined): ValidateFunction | null {
  if (!schema) return null;
  let validate = compiled.get(schema);
  if (validate === undefined) {
    const { $schema, ...rest } = schema as { $schema?: string };
    try {
      validate = (String($schema ?? '').includes('2020-12') ? draft2020 : draft07).compile(rest);
    } catch {
      validate = null;
    }
    compiled.set(schema, validate);
  }
  return validate;
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
