// stdio transport for the hub (Claude Desktop and other local clients). stdout is the protocol
// channel: the logger writes to stderr only, and nothing else here writes at all.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { SessionHost } from './http.js';
import { localPrincipal } from '../access/principal.js';
import { useFastReadBuffer } from '../downstream/fast-read-buffer.js';

export async function serveStdio(host: SessionHost, onClosed: () => void): Promise<() => Promise<void>> {
  const transport = new StdioServerTransport();
  useFastReadBuffer(transport);
  // The SDK drops a line that is not JSON or not JSON-RPC (it only reports it to onerror); JSON-RPC 2.0
  // asks for an error answer with id null, as the HTTP transport gives. Set before connect, which chains it.
  transport.onerror = (err) => {
    const invalidJson = err instanceof SyntaxError;
    if (!invalidJson && err?.name !== 'ZodError') return;
    const error = invalidJson ? { code: -32700, message: 'Parse error: the line is not valid JSON' } : { code: -32600, message: 'Invalid Request: not a JSON-RPC 2.0 message' };
    void transport.send({ jsonrpc: '2.0', id: null, error } as unknown as JSONRPCMessage).catch(() => undefined);
  };
  const session = host.newSession(localPrincipal('stdio'));
  await session.server.connect(transport);
  // The client closing stdin ends the session, and with it the hub.
  process.stdin.once('end', onClosed);
  return () => session.close();
}
