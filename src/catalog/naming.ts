// Namespaced names that every LLM API accepts (^[a-zA-Z0-9_-]{1,64}$) and that stay the same
// across restarts: the same server and tool always give the same name.
import { createHash } from 'node:crypto';

export const SEPARATOR = '__';
export const MAX_NAME_LENGTH = 64;
const HASH_LENGTH = 8;

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
}

export function sanitize(part: string): string {
  return part.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** `<server>__<tool>`, with a short hash of the original when it must be shortened or disambiguated. */
export function namespacedName(server: string, original: string, forceHash = false): string {
  const full = `${sanitize(server)}${SEPARATOR}${sanitize(original)}`;
  if (!forceHash && full.length <= MAX_NAME_LENGTH) return full;
  return shortenName(full, MAX_NAME_LENGTH, `${server}${SEPARATOR}${original}`);
}

/** A downstream name as clients see it: `<prefix>__<name>`, or the name alone for a server without prefix; LLM-safe either way. */
export function publicName(prefix: string | undefined, original: string, forceHash = false): string {
  if (prefix !== undefined) return namespacedName(prefix, original, forceHash);
  const name = sanitize(original);
  if (!forceHash && name.length <= MAX_NAME_LENGTH && name.length > 0) return name;
  return shortenName(name, MAX_NAME_LENGTH, original);
}

/** Whether a URI fits an RFC 6570 template at the level MCP servers use ({var} for one segment, {+var} / {/var*} for more). */
export function templateMatches(template: string, uri: string): boolean {
  const parts = template.split(/(\{[^}]*\})/);
  const pattern = parts
    .map((p) => (p.startsWith('{') ? (/^\{[+#/]|\*\}$/.test(p) ? '.*' : '[^/?#]*') : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`).test(uri);
}

/**
 * `name` cut to `max` characters: its start, `_`, and a short hash of `hashOf` (default the name itself),
 * so the same name always gives the same short form. The catalog's 64-character names and the shorter
 * aliases a client with a lower limit gets (expose.clients.*.maxNameLength) both come from here.
 */
export function shortenName(name: string, max: number, hashOf = name): string {
  return `${name.slice(0, Math.max(0, max - HASH_LENGTH - 1))}_${shortHash(hashOf)}`;
}

const RESOURCE_SCHEME = 'hub://';

/** Resources keep their own URI behind a server-qualified prefix: hub://<server>/<original uri>. */
export function hubUri(server: string, uri: string): string {
  return `${RESOURCE_SCHEME}${server}/${uri}`;
}

export function parseHubUri(uri: string): { server: string; uri: string } | undefined {
  if (!uri.startsWith(RESOURCE_SCHEME)) return undefined;
  const rest = uri.slice(RESOURCE_SCHEME.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  return { server: rest.slice(0, slash), uri: rest.slice(slash + 1) };
}

/** Glob with `*` and `?`, matched against the whole name. */
export { globToRegExp } from '../access/principal.js';
