// Keeps secrets out of memory. Stricter than the log redaction: besides registered secrets and values
// under secret-looking keys, any string that looks like a credential is masked wherever it appears
// (in a request, an argument, a result, a summary), because memory is shared and long-lived.
import { isSecretKey, redactText } from '../log/redact.js';

export const MASK = '[REDACTED]';

// Well-known credential shapes.
const KNOWN_TOKENS: RegExp[] = [
  /\b(?:sk|pk|rk)[-_](?:live_|test_|proj-|ant-|or-)?[A-Za-z0-9_-]{16,}/g, // OpenAI, Anthropic, Stripe, OpenRouter
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\bBasic\s+[A-Za-z0-9+/=]{12,}/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWT
  /\b(?:ghp|gho|ghu|ghs|ghr|github_pat|glpat)[-_][A-Za-z0-9_]{20,}/g, // GitHub, GitLab
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API key
  /\b\d{6,12}:[A-Za-z0-9_-]{30,}\b/g, // Telegram bot token
  /\bpk_[A-Za-z0-9]{20,}\b/g, // ClickUp personal token
  /(?<=[?&](?:token|key|api_key|apikey|access_token|secret|password|sig|signature)=)[^&\s#]{6,}/gi, // in URLs
];

const CANDIDATE = /[A-Za-z0-9+/_=.-]{32,}/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

/** A long run of letters and digits with the entropy of random bytes (hex 32+ is about 3.7 bits a character). */
export function looksLikeSecret(token: string): boolean {
  if (token.length < 32 || UUID.test(token)) return false;
  if (!/[A-Za-z]/.test(token) || !/\d/.test(token)) return false;
  // Dotted names and paths are words, not keys.
  if (/^[a-z]+([._/-][a-z]+)+$/i.test(token)) return false;
  return entropy(token) >= 3.5;
}

export function scrubText(text: string): string {
  let out = redactText(text);
  for (const re of KNOWN_TOKENS) out = out.replace(re, (m) => (/^Bearer|^Basic/i.test(m) ? `${m.split(/\s+/)[0]} ${MASK}` : MASK));
  return out.replace(CANDIDATE, (m) => (looksLikeSecret(m) ? MASK : m));
}

/**
 * Deep copy with credentials masked: strings under secret-looking keys (and everything inside such a
 * key's object), credential-like strings anywhere. Numbers and booleans stay ("inputTokens": 12 is no secret).
 */
export function scrub<T>(value: T, underSecretKey = false, depth = 0): T {
  if (typeof value === 'string') return (underSecretKey && value !== '' ? MASK : scrubText(value)) as T;
  if (value === null || typeof value !== 'object' || depth > 12) return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, underSecretKey, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = scrub(v, underSecretKey || isSecretKey(key), depth + 1);
  }
  return out as T;
}

/** Whether a value holds anything masked (a plan with a masked literal cannot be reused as it is). */
export function hasMask(value: unknown): boolean {
  return JSON.stringify(value ?? null).includes(MASK);
}
