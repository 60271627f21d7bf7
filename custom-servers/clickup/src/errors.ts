// Turns a failed call into what a model can act on: ClickUp's own message plus a hint at the fix.
import { ApiError } from '../../lib/rest.js';

function ecode(body: unknown): string | undefined {
  return body && typeof body === 'object' && typeof (body as { ECODE?: unknown }).ECODE === 'string'
    ? (body as { ECODE: string }).ECODE
    : undefined;
}

/** `notFoundHint` names the tool that lists valid ids for this tool's arguments. */
export function describeError(error: unknown, notFoundHint: string): string {
  if (!(error instanceof ApiError)) return `ClickUp tool failed: ${error instanceof Error ? error.message : String(error)}`;
  const base = `ClickUp API error: ${error.message}.`;
  if (error.status === 0) {
    return /timed out/.test(error.message)
      ? `${base} Hint: ClickUp did not answer in time; retry later (the limit is CLICKUP_TIMEOUT_MS).`
      : `${base} Hint: ClickUp could not be reached; check the network and CLICKUP_API_URL.`;
  }
  if (error.status === 401 && ecode(error.body) === 'OAUTH_027') {
    return `${base} Hint: this token has no access to that workspace; get_workspaces lists the team ids it can use.`;
  }
  if (error.status === 401 || error.status === 403) {
    return `${base} Hint: token rejected: check CLICKUP_API_TOKEN (a personal token starting with pk_, from ClickUp Settings > Apps).`;
  }
  if (error.status === 404) return `${base} Hint: ${notFoundHint}`;
  if (error.status === 429) {
    const wait = error.retryAfterMs ? `${Math.ceil(error.retryAfterMs / 1000)} s` : 'a minute';
    return `${base} Hint: ClickUp's rate limit is still hit after retries; wait ${wait} and retry.`;
  }
  if (error.status === 400) return `${base} Hint: ClickUp rejected the arguments; fix them and retry (statuses come from get_spaces, user ids from get_workspaces, custom field ids from get_custom_fields).`;
  if (error.status >= 500) return `${base} Hint: ClickUp had a server error and retries did not help; try again later.`;
  if (/malformed JSON/.test(error.message)) return `${base} Hint: the answer was not JSON (an outage page or a proxy?); retry later and check CLICKUP_API_URL.`;
  return base;
}
