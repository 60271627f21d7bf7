// stdio transport for the hub (Claude Desktop and other local clients). stdout is the protocol
// channel: the logger writes to stderr only, and nothing else here writes at all.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { SessionHost } from './http.js';

export async function serveStdio(host: SessionHost, onClosed: () => void): Promise<() => Promise<void>> {
  const transport = new StdioServerTransport();
  const session = host.newSession('stdio');
  await session.server.connect(transport);
  // The client closing stdin ends the session, and with it the hub.
  process.stdin.once('end', onClosed);
  return () => session.close();
}
