// Builds the client transport for one downstream server from its config entry.
import path from 'node:path';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ServerConfig } from '../config/schema.js';
import { useFastReadBuffer } from './fast-read-buffer.js';
import { packageBin } from './package-bin.js';

export type TransportKind = 'stdio' | 'http' | 'sse';

export function createTransport(name: string, config: ServerConfig, kind: TransportKind, baseDir: string, dataDir?: string): Transport {
  if (kind === 'stdio') {
    // A `package:` server runs its bin with this Node, wherever npm installed it.
    const script = config.package ? packageBin(config.package, config.bin, baseDir, name) : undefined;
    return useFastReadBuffer(new StdioClientTransport({
      command: script ? process.execPath : config.command!,
      args: script ? [script, ...config.args] : config.args,
      // Only a minimal base (PATH, HOME, ...) plus what the entry names: one app's secrets never
      // reach another app's process, as Claude Desktop does it. MCP_HUB_DATA_DIR names the hub's data
      // (memory, workflows, audit): servers that read local files (Telegram's uploads) refuse it.
      env: { ...getDefaultEnvironment(), ...(dataDir ? { MCP_HUB_DATA_DIR: dataDir } : {}), ...config.env },
      cwd: path.resolve(baseDir, config.cwd ?? '.'),
      stderr: 'pipe',
    }));
  }
  const url = new URL(config.url!);
  const requestInit = { headers: config.headers };
  return kind === 'sse' ? new SSEClientTransport(url, { requestInit, eventSourceInit: { fetch: headerFetch(config.headers) } }) : new StreamableHTTPClientTransport(url, { requestInit });
}

/** EventSource takes no headers of its own; this adds the configured ones to its GET. */
function headerFetch(headers: Record<string, string>) {
  return (url: string | URL, init?: RequestInit) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } });
}
