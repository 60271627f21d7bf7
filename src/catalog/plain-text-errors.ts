// Some downstream servers report a failed call as an ordinary answer: a text block, no isError.
// The official Xero MCP server does this for every tool (`Error listing invoices: ${error}`, with
// details such as "Failed to get Xero token ..." or "Authentication failed. Please check your Xero
// credentials."). Without detection such a failure would flow into the next step of a plan as data.

export interface ToolResultLike {
  content?: Array<{ type: string; text?: string }>;
  isError?: boolean;
}

/**
 * Returns the failure message when `result` is a failure written as plain text, else undefined.
 * Only the first text block is tested, because these servers put the failure there and nothing else:
 * testing every block would flag records whose fields mention "error" (an invoice reference, say).
 * A result already marked isError needs no detection and yields undefined.
 */
export function detectPlainTextError(result: ToolResultLike, patterns: RegExp[]): string | undefined {
  if (result.isError || patterns.length === 0) return undefined;
  const first = result.content?.find((block) => block.type === 'text' && typeof block.text === 'string');
  const text = first?.text?.trim();
  if (!text) return undefined;
  return patterns.some((pattern) => {
    pattern.lastIndex = 0; // a /g or /y pattern remembers where it stopped
    return pattern.test(text);
  })
    ? text
    : undefined;
}

/**
 * @xeroapi/xero-mcp-server (0.0.17): every tool's failure branch answers "Error <verb> <object>: <detail>"
 * (dist/tools/**: listing, creating, updating, fetching, deleting, retrieving, approving, reverting,
 * adding, and "Error while creating|updating ..."). Anchored at the start and to those verbs, so a
 * normal first line ("Found 3 invoices:", "Invoice created successfully:") never matches.
 */
export const XERO_ERROR_PATTERNS: RegExp[] = [
  /^Error (?:while )?(?:listing|creating|updating|fetching|deleting|retrieving|approving|reverting|adding) [A-Za-z ]+: /,
];

/** Known servers that answer failures as plain text, by the name they report in initialize. */
const BY_SERVER_NAME: Record<string, RegExp[]> = {
  'Xero MCP Server': XERO_ERROR_PATTERNS,
};

export function plainTextErrorPatterns(serverInfoName: string | undefined): RegExp[] {
  return (serverInfoName && BY_SERVER_NAME[serverInfoName]) || [];
}
