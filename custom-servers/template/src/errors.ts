// Turns a failed API call into a tool result the model can act on: isError plus a hint saying what to
// change, instead of an exception (which a client shows as a bare protocol error).
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ApiError } from '../../lib/rest.js';

export function hintFor(err: unknown, envPrefix: string): string {
  if (!(err instanceof ApiError)) return 'This is a bug in the server; see its stderr log.';
  const { status, retryAfterMs } = err;
  if (status === 0) return `Check ${envPrefix}_API_URL and that the API is reachable from this machine.`;
  if (status === 401 || status === 403) return `Check ${envPrefix}_API_TOKEN: it is missing, expired or lacks access to this resource.`;
  if (status === 404) return 'The resource does not exist: check the ids in the arguments.';
  if (status === 400 || status === 409 || status === 422) return 'The API refused the arguments: correct them and call again.';
  if (status === 429) return `Rate limited: wait${retryAfterMs ? ` ${Math.ceil(retryAfterMs / 1000)} s` : ' a little'} before calling again.`;
  if (status >= 500) return 'The API is failing on its side: try again later.';
  return 'See the message above.';
}

export function toolError(action: string, err: unknown, envPrefix = 'TEMPLATE'): CallToolResult {
  if (!(err instanceof ApiError)) process.stderr.write(`${action}: ${err instanceof Error ? err.stack : String(err)}\n`);
  const message = err instanceof Error ? err.message : String(err);
  return { isError: true, content: [{ type: 'text', text: `Could not ${action}: ${message}\nHint: ${hintFor(err, envPrefix)}` }] };
}
