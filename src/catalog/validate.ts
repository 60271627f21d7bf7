// Checks tool arguments against the tool's own JSON Schema before they travel, and says which
// field is wrong. Schemas are compiled once per tool definition.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const options = { allErrors: true, strict: false, validateSchema: false, logger: false } as const;
const draft07 = addFormats(new Ajv(options));
const draft2020 = addFormats(new Ajv2020(options) as unknown as Ajv);
const compiled = new WeakMap<object, ValidateFunction | null>();

/**
 * A tool schema compiled once; null when it cannot be compiled. JSON Schema 2020-12 is MCP's default
 * dialect (2025-11-25): a schema is checked as draft-07 only when its $schema names draft-07 or older.
 */
export function compileSchema(schema: Record<string, unknown> | undefined): ValidateFunction | null {
  if (!schema) return null;
  let validate = compiled.get(schema);
  if (validate === undefined) {
    const { $schema, ...rest } = schema as { $schema?: string };
    try {
      validate = (/draft-0[4-7]/.test(String($schema ?? '')) ? draft07 : draft2020).compile(rest);
    } catch {
      validate = null;
    }
    compiled.set(schema, validate);
  }
  return validate;
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
