// A tool result as plan data (see plan.ts): structuredContent when present, else the text parsed as
// JSON when it is JSON, else the text. Plus the bounded copies that go into run records.
import type { CallToolResult } from '@modelcontextprotocol/client';

function textParts(result: CallToolResult): string[] {
  return (result.content ?? [])
    .filter((c): c is { type: 'text'; text: string } => c.type === 'text' && typeof (c as { text?: unknown }).text === 'string')
    .map((c) => c.text);
}

export function resultText(result: CallToolResult): string {
  return textParts(result).join('\n');
}

/**
 * Text parts are joined by a blank line: servers that answer in text often give one part per record
 * (the official Xero server: "Found 10 invoices:", then one part per invoice), and the blank line keeps
 * the records apart for whoever reads them next (a prompt step that extracts fields).
 */
export function resultValue(result: CallToolResult): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const parts = textParts(result);
  const text = parts.join('\n\n');
  return (parts.length === 1 ? parseJsonText(text) : undefined) ?? text;
}

/** The JSON value a text holds (also inside a ``` fence), or undefined. */
export function parseJsonText(text: string): unknown {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(trimmed);
  const body = fenced ? fenced[1] : trimmed;
  if (!/^[[{"]/.test(body) && !/^(-?\d|true$|false$|null$)/.test(body)) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** The first JSON object in a model's text answer: whole text, a fenced block, or the outermost braces. */
export function extractJsonObject(text: string): unknown {
  const direct = parseJsonText(text);
  if (direct !== undefined) return direct;
  const fence = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  if (fence) {
    const v = parseJsonText(fence[1]);
    if (v !== undefined) return v;
  }
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start >= 0 && end > start) return parseJsonText(text.slice(start, end + 1));
  return undefined;
}

/** A copy small enough for a record: values over `max` characters of JSON become a marked preview. */
export function truncateValue(value: unknown, max = 2000): unknown {
  if (value === undefined) return undefined;
  const json = typeof value === 'string' ? value : JSON.stringify(value);
  if (json === undefined || json.length <= max) return value;
  return `${json.slice(0, max)}… (truncated, ${json.length} characters)`;
}

/** JSON for a prompt, cut at `max` characters with a note, so one large result cannot crowd out the rest. */
export function promptJson(value: unknown, max = 20_000): string {
  const json = JSON.stringify(value, null, 1) ?? 'null';
  return json.length <= max ? json : `${json.slice(0, max)}\n… (cut: ${json.length} characters in all)`;
}
