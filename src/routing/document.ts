// Turns one catalog tool into what the rankers index: BM25 fields of terms, and one text to embed.
import { relatedTerms } from './related.js';
import { terms, words } from './text.js';

export interface IndexedTool {
  /** Namespaced catalog name, e.g. "xero__list-invoices". */
  name: string;
  server: string;
  /** The downstream server's own name for it, e.g. "list-invoices". */
  originalName: string;
  title?: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

export const FIELDS = ['name', 'server', 'description', 'params', 'related'] as const;
export type Field = (typeof FIELDS)[number];
export type FieldTerms = Record<Field, string[]>;

interface ParamText {
  names: string[];
  prose: string[];
}

/** Parameter names, descriptions and enum values, nested objects and array items included (a few levels deep). */
function collectParams(schema: unknown, out: ParamText, depth = 0): void {
  if (!schema || typeof schema !== 'object' || depth > 3) return;
  const s = schema as Record<string, unknown>;
  const props = s.properties;
  if (props && typeof props === 'object') {
    for (const [key, value] of Object.entries(props as Record<string, unknown>)) {
      out.names.push(key);
      const v = (value ?? {}) as Record<string, unknown>;
      if (typeof v.description === 'string') out.prose.push(v.description);
      if (typeof v.title === 'string') out.prose.push(v.title);
      if (Array.isArray(v.enum)) out.prose.push(v.enum.filter((e) => typeof e === 'string').join(' '));
      collectParams(v, out, depth + 1);
    }
  }
  if (s.items) collectParams(s.items, out, depth + 1);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(s[key])) for (const sub of s[key] as unknown[]) collectParams(sub, out, depth + 1);
  }
}

export function paramText(schema: unknown): ParamText {
  const out: ParamText = { names: [], prose: [] };
  collectParams(schema, out);
  return out;
}

export function fieldTerms(tool: IndexedTool, expand: boolean): FieldTerms {
  const params = paramText(tool.inputSchema);
  const name = terms(`${tool.originalName} ${tool.title ?? ''}`);
  const description = terms(tool.description ?? '');
  return {
    name,
    server: terms(tool.server),
    description,
    params: terms(`${params.names.join(' ')} ${params.prose.join(' ')}`),
    related: expand ? relatedTerms([...name, ...description]) : [],
  };
}

/** The text a dense model sees for a tool: readable name, description, parameter names (its app has a vector of its own). */
export function embeddingText(tool: IndexedTool): string {
  const readable = words(tool.title || tool.originalName).join(' ');
  const params = paramText(tool.inputSchema).names;
  const parts = [`${readable}.`, (tool.description ?? '').trim()];
  if (params.length) parts.push(`Parameters: ${[...new Set(params)].slice(0, 20).join(', ')}.`);
  // Models read ~512 tokens; the start of a description carries its meaning.
  return parts.filter(Boolean).join(' ').slice(0, 1500);
}

/** The text a dense model sees for a server: its name in words and the start of its description. */
export function serverContextText(server: string, description?: string): string {
  const name = words(server).join(' ');
  return description ? `${name}: ${description.trim().slice(0, 300)}` : name;
}
