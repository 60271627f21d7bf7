// Models asked for JSON in prose (Anthropic has no JSON mode; sampling has no tool calling) often wrap
// it in a code fence or a sentence. This finds the JSON value in such an answer.

/** The first JSON object or array in the text (a fenced block first), or undefined. */
export function extractJson(text: string): unknown {
  const candidates: string[] = [];
  for (const m of text.matchAll(/```(?:json)?\s*\n?([\s\S]*?)```/gi)) candidates.push(m[1]);
  candidates.push(text);
  for (const candidate of candidates) {
    const trimmed = candidate.trim();
    try {
      return JSON.parse(trimmed);
    } catch {
      const found = firstBalanced(trimmed);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Scans for the first balanced {...} or [...] that parses. */
function firstBalanced(text: string): unknown {
  for (let start = 0; start < text.length; start++) {
    const open = text[start];
    if (open !== '{' && open !== '[') continue;
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) {
          try {
            return JSON.parse(text.slice(start, i + 1));
          } catch {
            break;
          }
        }
      }
    }
  }
  return undefined;
}

export const JSON_INSTRUCTION = 'Answer with one JSON object and nothing else: no prose, no code fence.';

/** For JSON mode without API support: the JSON found, re-serialised; the text as it is when none is found. */
export function normaliseJsonText(text: string): string {
  const value = extractJson(text);
  return value === undefined ? text : JSON.stringify(value);
}
