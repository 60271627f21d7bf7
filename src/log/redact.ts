// Secret redaction for everything the hub writes: values registered as secrets (server env values,
// header values, tokens, API keys) are replaced wherever they appear, and values under secret-looking
// keys are masked even when nobody registered them.

const SECRET_KEY = /(token|secret|password|passwd|api[-_]?key|authorization|auth|credential|private[-_]?key|cookie)/i;
const MASK = '[REDACTED]';
// Short values ("1", "true") would mask unrelated text; secrets worth hiding are longer.
const MIN_SECRET_LENGTH = 4;

const secrets = new Set<string>();
let pattern: RegExp | undefined;

export function registerSecret(value: string | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH || secrets.has(value)) return;
  secrets.add(value);
  pattern = undefined;
}

/**
 * Registers a configured value (a server's env or header) when it may be a secret: its key says so,
 * or it looks like a token (long, letters and digits, no spaces or slashes). Masking every value
 * would hide plain words such as a server's name from all logs.
 */
export function registerConfiguredValue(key: string, value: string): void {
  if (isSecretKey(key) || /^(?=.*[A-Za-z])(?=.*\d)[^\s/]{16,}$/.test(value)) registerSecret(value);
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

function secretPattern(): RegExp | undefined {
  if (secrets.size === 0) return undefined;
  if (!pattern) {
    // Longest first so a secret containing another is masked whole.
    const escaped = [...secrets].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    pattern = new RegExp(escaped.join('|'), 'g');
  }
  return pattern;
}

export function redactText(text: string): string {
  const re = secretPattern();
  return re ? text.replace(re, MASK) : text;
}

/** Levels redact() copies; deeper values are summarised, not copied. */
export const MAX_REDACT_DEPTH = 8;
export const TOO_DEEP = `[nested deeper than ${MAX_REDACT_DEPTH} levels]`;

/**
 * Deep copy with secrets masked: by registered value anywhere, and by key name for string values.
 * Past MAX_REDACT_DEPTH a value is replaced by a placeholder: it could hold a secret the walk did not
 * reach, and the copy stays shallow enough for JSON.stringify (no stack overflow, no cycle).
 */
export function redact<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_REDACT_DEPTH) return TOO_DEEP as T;
  if (value instanceof Error) return redactText(value.stack ?? value.message) as T;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = typeof v === 'string' && v.length > 0 && isSecretKey(key) ? MASK : redact(v, depth + 1);
  }
  return out as T;
}
