// The official server's failures, reproduced. It answers a failed call with one text block
// "<prefix>: <detail>" and no isError (node_modules/@xeroapi/xero-mcp-server/dist/tools/**: e.g.
// `Error listing invoices: ${response.error}`); the details below are what its helpers produce
// (clients/xero-client.js formatTokenError, helpers/format-error.js).
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export const XERO_FAILURE_DETAILS = {
  /** Client credentials refused by identity.xero.com (formatTokenError over the 400 body). */
  auth: 'Failed to get Xero token with V1 scopes: {"error":"invalid_client"}',
  /** No network: what the official server answers offline. */
  offline: 'Failed to get Xero token with V1 scopes: getaddrinfo ENOTFOUND identity.xero.com',
  /** formatError's mapped HTTP statuses (Axios errors, e.g. a revoked bearer token). */
  unauthorized: 'Authentication failed. Please check your Xero credentials.',
  forbidden: "You don't have permission to access this resource in Xero.",
  'not-found': 'The requested resource was not found in Xero.',
  'rate-limit': 'Too many requests to Xero. Please try again in a moment.',
  /** xero-node rejects API errors (400 validation, 404, ...) with a JSON string, which formatError cannot read. */
  api: 'An unexpected error occurred while communicating with Xero.',
} as const;

export type FailureKind = keyof typeof XERO_FAILURE_DETAILS;

export function failureResult(prefix: string, detail: string): CallToolResult {
  return { content: [{ type: 'text', text: `${prefix}: ${detail}` }] };
}

/**
 * XERO_MOCK_FAIL names the tools that fail (comma-separated, or * for all); XERO_MOCK_FAIL_KIND picks
 * the failure (default auth). Returns the detail text for `tool`, or undefined when it should work.
 */
export function injectedFailure(tool: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const names = (env.XERO_MOCK_FAIL ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!names.includes('*') && !names.includes(tool)) return undefined;
  const kind = (env.XERO_MOCK_FAIL_KIND ?? 'auth') as FailureKind;
  return XERO_FAILURE_DETAILS[kind] ?? XERO_FAILURE_DETAILS.auth;
}
