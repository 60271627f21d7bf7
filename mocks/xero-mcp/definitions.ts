// The served tools' definitions, verbatim from the official server's tools/list (tools.json; regenerate
// with refresh-tools.ts), and argument checking against those same JSON schemas. Zod, which the official
// server validates with, drops unknown keys and fills defaults; Ajv is set up to do the same.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import definitions from './tools.json' with { type: 'json' };

export const TOOL_DEFINITIONS = definitions as unknown as Tool[];

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ useDefaults: true, removeAdditional: 'all', strict: false }));
const validators = new Map<string, ValidateFunction>(TOOL_DEFINITIONS.map((t) => [t.name, ajv.compile(t.inputSchema)]));

const describe = (e: ErrorObject) => (e.instancePath ? `${e.message} at ${e.instancePath.slice(1).replace(/\//g, '.')}` : `${e.message}`);

/** Checks (and normalises in place) a call's arguments; returns the problem, or undefined when they are valid. */
export function checkArguments(tool: string, args: Record<string, unknown>): string | undefined {
  const validate = validators.get(tool);
  if (!validate || validate(args)) return undefined;
  return (validate.errors ?? []).map(describe).join('; ');
}
