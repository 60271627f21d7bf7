// Bounds on what a client may send, checked on the raw bytes before JSON.parse (HTTP bodies and stdio
// lines). JSON.parse itself copes with deep nesting, but everything after it that walks a value
// recursively (JSON.stringify for the audit and logs, redaction, schema checks) overflows the stack
// somewhere past a few thousand levels; refusing such input at the edge keeps every later step safe.

/**
 * Deepest nesting of arrays and objects accepted in one message. A JSON-RPC envelope uses 3 levels
 * (message, params, arguments); real tool arguments rarely go past 10. 64 leaves ample room and stays
 * far below any recursion limit.
 */
export const MAX_JSON_DEPTH = 64;

/** A message refused for its shape before parsing; answered with a JSON-RPC error (id null). */
export class JsonLimitError extends Error {
  override readonly name = 'JsonLimitError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether the JSON text in bytes[start, end) nests arrays/objects deeper than maxDepth. Brackets inside
 * strings do not count. Works on UTF-8 bytes directly: the bytes looked at are ASCII and never occur
 * inside a multi-byte sequence. Malformed JSON is not judged here (JSON.parse does that).
 */
export function nestsDeeperThan(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH, start = 0, end = bytes.length): boolean {
  // Each level needs at least one byte: short texts cannot be too deep (the common case, for free).
  if (end - start <= maxDepth) return false;
  let depth = 0;
  let inString = false;
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return false;
}

export function tooDeepError(maxDepth = MAX_JSON_DEPTH): JsonLimitError {
  return new JsonLimitError(-32600, `Invalid Request: JSON nested deeper than ${maxDepth} levels`);
}

export function tooLargeError(maxBytes: number, what: string): JsonLimitError {
  return new JsonLimitError(-32600, `Invalid Request: ${what} exceeds ${maxBytes} bytes`);
}
