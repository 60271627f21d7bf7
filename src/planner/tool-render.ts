// How candidate tools are shown to the planner. `compact` (the default) gives each tool its name, a
// safety hint, a clipped description and one line per argument (name, type, required, default, a
// clipped description): what a model needs to fill the arguments, at a fraction of the JSON Schema's
// size. Limits the schema states but the line leaves out (lengths, patterns, maxima) are still
// enforced: the validator checks literal arguments against the full schema and names the field.
// `full` shows the description and the whole JSON Schema. Both say what the tool returns: the shape of
// its structured output, or "text" (a plan extracts fields from text with a prompt step's outputSchema).
import type { Tool } from '@modelcontextprotocol/client';

export type ToolRendering = 'compact' | 'full';

type Schema = Record<string, unknown>;

const DESCRIPTION_CHARS = 200;
const ARG_DESCRIPTION_CHARS = 80;
const ENUM_VALUES = 8;
const FULL_SCHEMA_CHARS = 3000;
const RETURNS_CHARS = 200;

/**
 * Supplier tools (they look up the ids that the main candidates require) in one line each: enough to call
 * them, at a fraction of a full block.
 */
export function renderSuppliers(tools: Array<{ name: string; tool: Tool }>): string {
  if (!tools.length) return '';
  const lines = tools.map(({ name, tool }) => {
    const schema = tool.inputSchema as Schema | undefined;
    const required = new Set((schema?.required as string[] | undefined) ?? []);
    const args = Object.keys((schema?.properties ?? {}) as Record<string, unknown>).map((k) => `${k}${required.has(k) ? '*' : ''}`);
    return `- ${name}(${args.join(', ')})${tool.outputSchema ? '' : ' returns text'} - ${clip(oneLine(tool.description), 100)}`;
  });
  return `Tools that look up ids the tools above need (you may use these too):\n${lines.join('\n')}`;
}

export function renderTools(tools: Array<{ name: string; tool: Tool }>, mode: ToolRendering = 'compact'): string {
  if (!tools.length) return 'Tools: none matched this task. Submit a plan with only prompt steps, or the smallest plan you can.';
  const blocks = tools.map(({ name, tool }) => {
    const hints = hintWords(tool);
    const head = `### ${name}${hints ? ` (${hints})` : ''}`;
    if (mode === 'full') {
      return `${head}\n${clip(oneLine(tool.description), 500)}\ninput schema: ${fullSchema(tool.inputSchema)}\noutput: ${tool.outputSchema ? `schema ${fullSchema(tool.outputSchema)}` : 'text'}`;
    }
    const args = argumentLines(tool.inputSchema as Schema | undefined);
    return [head, clip(oneLine(tool.description), DESCRIPTION_CHARS), args.length ? `args:\n${args.join('\n')}` : 'args: none', `returns ${clip(returns(tool), RETURNS_CHARS)}`]
      .filter(Boolean)
      .join('\n');
  });
  return `Tools you may use (only these${mode === 'compact' ? '; args marked * are required' : ''}):\n\n${blocks.join('\n\n')}`;
}

/** What a plan reads from the tool's result: the shape of its structured output, or text (a prompt step extracts fields from it). */
function returns(tool: Tool): string {
  return tool.outputSchema ? typeOf(tool.outputSchema as Schema, 0) : 'text';
}

function hintWords(tool: Tool): string {
  const a = tool.annotations;
  if (!a) return '';
  if (a.readOnlyHint) return 'read-only';
  if (a.destructiveHint === true) return 'destructive: needs approval';
  return '';
}

function fullSchema(schema: unknown): string {
  const { $schema: _s, ...rest } = (schema ?? {}) as Schema;
  const json = JSON.stringify(rest);
  return json.length <= FULL_SCHEMA_CHARS ? json : `${json.slice(0, FULL_SCHEMA_CHARS)}… (cut)`;
}

/** One line per top-level argument: `- name*: type (default x) - description`. */
function argumentLines(schema: Schema | undefined): string[] {
  const properties = (schema?.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema?.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([key, prop]) => {
    const description = clip(oneLine(prop.description as string | undefined), ARG_DESCRIPTION_CHARS);
    const fallback = prop.default !== undefined ? ` (default ${JSON.stringify(prop.default)})` : '';
    return `- ${key}${required.has(key) ? '*' : ''}: ${typeOf(prop, 0)}${fallback}${description ? ` - ${description}` : ''}`;
  });
}

/** A short type: `string`, `integer`, `"a"|"b"`, `string[]`, `{id*: string, name: string}`, `integer|string`. */
function typeOf(schema: Schema | undefined, depth: number): string {
  if (!schema || typeof schema !== 'object') return 'any';
  if (Array.isArray(schema.enum)) {
    const values = schema.enum.slice(0, ENUM_VALUES).map((v) => JSON.stringify(v));
    return values.join('|') + (schema.enum.length > ENUM_VALUES ? '|…' : '');
  }
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(union)) return [...new Set(union.map((s) => typeOf(s, depth)))].join('|');
  const type = Array.isArray(schema.type) ? (schema.type as string[]).join('|') : (schema.type as string | undefined);
  if (type === 'array' || schema.items) {
    const item = typeOf(schema.items as Schema | undefined, depth);
    return item.includes('|') ? `(${item})[]` : `${item}[]`;
  }
  if (type === 'object' || schema.properties) {
    const props = schema.properties as Record<string, Schema> | undefined;
    if (!props || !Object.keys(props).length || depth >= 2) return 'object';
    const required = new Set((schema.required as string[] | undefined) ?? []);
    return `{${Object.entries(props).map(([k, v]) => `${k}${required.has(k) ? '*' : ''}: ${typeOf(v, depth + 1)}`).join(', ')}}`;
  }
  const format = typeof schema.format === 'string' ? ` (${schema.format})` : '';
  return `${type ?? 'any'}${format}`;
}

function oneLine(text: string | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** At most `max` characters, ending at a sentence when one ends late enough. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const sentence = cut.lastIndexOf('. ');
  return sentence >= max * 0.5 ? cut.slice(0, sentence + 1) : `${cut.replace(/\s+\S*$/, '')}…`;
}
