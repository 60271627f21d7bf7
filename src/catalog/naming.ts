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
  const hash = shortHash(`${server}${SEPARATOR}${original}`);
  return `${full.slice(0, MAX_NAME_LENGTH - HASH_LENGTH - 1)}_${hash}`;
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
