// Checks tool arguments against the tool's own JSON Schema before they travel, and says which
// field is wrong. Schemas are compiled once per tool definition.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const options = { allErrors: true, strict: false, validateSchema: false, logger: false } as const;
const draft07 = addFormats(new Ajv(options));
const draft2020 = addFormats(new Ajv2020(options) as unknown as Ajv);
// The same dialects, converting scalar strings ("1", "true") to the schema's type: for clients that
// call a tool they cannot see (behind search_tools) and so send every value as typed text.
const coercing = { ...options, coerceTypes: true } as const;
const draft07Coercing = addFormats(new Ajv(coercing));
const draft2020Coercing = addFormats(new Ajv2020(coercing) as unknown as Ajv);
const compiled = new WeakMap<object, ValidateFunction | null>();
const compiledCoercing = new WeakMap<object, ValidateFunction | null>();

/**
 * A tool schema compiled once; null when it cannot be compiled. JSON Schema 2020-12 is MCP's default
 * dialect (2025-11-25): a schema is checked as draft-07 only when its $schema names draft-07 or older.
 */
export function compileSchema(schema: Record<string, unknown> | undefined, coerce = false): ValidateFunction | null {
  if (!schema) return null;
  const cache = coerce ? compiledCoercing : compiled;
  let validate = cache.get(schema);
  if (validate === undefined) {
    const { $schema, ...rest } = schema as { $schema?: string };
    const older = /draft-0[4-7]/.test(String($schema ?? ''));
    try {
      validate = (coerce ? (older ? draft07Coercing : draft2020Coercing) : older ? draft07 : draft2020).compile(rest);
    } catch {
      validate = null;
    }
    cache.set(schema, validate);
  }
  return validate;
}

/**
 * The arguments to send: as given when they are valid; with scalar strings converted to the schema's
 * types when only that makes them valid; otherwise what is wrong, by field.
 */
export function checkArguments(schema: Record<string, unknown> | undefined, args: Record<string, unknown>): { args: Record<string, unknown>; problem?: string } {
  const problem = validateArguments(schema, args);
  if (!problem) return { args };
  const coerce = compileSchema(schema, true);
  const copy = structuredClone(args);
  return coerce && coerce(copy) && onlyTextConverted(args, copy) ? { args: copy } : { args, problem };
}

/** Whether every value coercion changed was text: a number given for a string field stays an error. */
function onlyTextConverted(before: unknown, after: unknown): boolean {
  if (Object.is(before, after)) return true;
  if (typeof before === 'string') return true;
  if (Array.isArray(before) && Array.isArray(after)) return before.length === after.length && before.every((v, i) => onlyTextConverted(v, after[i]));
  if (before && after && typeof before === 'object' && typeof after === 'object' && !Array.isArray(before) && !Array.isArray(after)) {
    const a = before as Record<string, unknown>;
    const b = after as Record<string, unknown>;
    return Object.keys(a).every((k) => onlyTextConverted(a[k], b[k]));
  }
  return false;
}

/** Returns undefined when the arguments are valid (or the schema cannot be compiled: then the server judges). */
export function validateArguments(schema: Record<string, unknown> | undefined, args: unknown): string | undefined {
  const validate = compileSchema(schema);
  if (!validate || validate(args)) return undefined;
  return (validate.errors ?? []).map(describe).filter((v, i, all) => all.indexOf(v) === i).join('; ');
}

function describe(e: ErrorObject): string {
  const at = e.instancePath ? `\`${e.instancePath.slice(1).replace(/\//g, '.')}\`` : 'arguments';
  switch (e.keyword) {
    case 'required':
      return `missing required field \`${pathJoin(e.instancePath, e.params.missingProperty as string)}\``;
    case 'additionalProperties':
      return `unknown field \`${pathJoin(e.instancePath, e.params.additionalProperty as string)}\``;
    case 'enum':
      return `${at} must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${at} ${e.message ?? 'is invalid'}`;
  }
}

function pathJoin(instancePath: string, key: string): string {
  return [...instancePath.split('/').filter(Boolean), key].join('.');
}
