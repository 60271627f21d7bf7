// stdio transport for the hub (Claude Desktop and other local clients). stdout is the protocol
// channel: the logger writes to stderr only, and nothing else here writes at all.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { STDIO_DEFAULT_MAX_BUFFER_SIZE } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { SessionHost } from './http.js';
import { localPrincipal } from '../access/principal.js';
import { useFastReadBuffer } from '../downstream/fast-read-buffer.js';
import { JsonLimitError, nestsDeeperThan, tooDeepError, tooLargeError } from './json-limits.js';
import { installLastResort } from './last-resort.js';

/** Longest line read from stdin: the SDK's own bound (which closed the session; here only the line is refused). */
export const MAX_LINE_BYTES = STDIO_DEFAULT_MAX_BUFFER_SIZE;

export async function serveStdio(host: SessionHost, onClosed: () => void): Promise<() => Promise<void>> {
  installLastResort();
  const transport = new StdioServerTransport();
  // Each line is bounded in size and nesting before it is parsed; a refused line is answered, and the next one read.
  useFastReadBuffer(transport, {
    maxLineBytes: MAX_LINE_BYTES,
    tooLong: () => tooLargeError(MAX_LINE_BYTES, 'the line'),
    screen: (line) => (nestsDeeperThan(line) ? tooDeepError() : undefined),
  });
  // The SDK drops a line that is not JSON or not JSON-RPC (it only reports it to onerror); JSON-RPC 2.0
  // asks for an error answer with id null, as the HTTP transport gives. Set before connect, which chains it.
  transport.onerror = (err) => {
    let error: { code: number; message: string };
    if (err instanceof JsonLimitError) error = { code: err.code, message: err.message };
    else if (err instanceof SyntaxError) error = { code: -32700, message: 'Parse error: the line is not valid JSON' };
    else if (err?.name === 'ZodError') error = { code: -32600, message: 'Invalid Request: not a JSON-RPC 2.0 message' };
    else return;
    void transport.send({ jsonrpc: '2.0', id: null, error } as unknown as JSONRPCMessage).catch(() => undefined);
  };
  const session = host.newSession(localPrincipal('stdio'));
  await session.server.connect(transport);
  // The client closing stdin ends the session, and with it the hub; so does stdout breaking (EPIPE):
  // no answer can reach the client any more.
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onClosed();
  };
  process.stdin.once('end', end);
  process.stdout.on('error', end);
  return () => session.close();
}
