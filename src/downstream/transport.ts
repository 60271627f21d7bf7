// Builds the client transport for one downstream server from its config entry.
import path from 'node:path';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import { SSEClientTransport, StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import type { ServerConfig } from '../config/schema.js';
import { packageBin } from './package-bin.js';
import { wrapTaskAnswer } from './tasks.js';

/**
 * A stdio server's transport. The SDK, meeting its own StdioClientTransport, probes the revision in a
 * throwaway copy of the server (a second process per start); any other stdio transport is probed in
 * place, on the process that then serves: one start, as the hub always had. A server that answers the
 * probe with an error gets the 2025-11-25 handshake after it on the same process.
 */
export class ServerProcessTransport extends StdioClientTransport {}

export type TransportKind = 'stdio' | 'http' | 'sse';

/**
 * The transport as the hub's client needs it, in two respects. Each answer is handed over after the
 * notifications the server sent before it: the SDK client runs a notification's handler a microtask later
 * than it settles an answer, so the last progress report of a call (sent just before its result) reached no
 * one. And a task handle (an answer of type "task", ./tasks.ts) is handed over in a form the client takes.
 * A Proxy, so every other member of the transport (HTTP's session and headers, stdio's process) stays the SDK's own.
 */
export function forHubClient<T extends Transport>(transport: T): T {
  return new Proxy(transport, {
    set(target, property, value, receiver) {
      if (property !== 'onmessage' || typeof value !== 'function') return Reflect.set(target, property, value, receiver);
      const deliver = value as NonNullable<Transport['onmessage']>;
      // Whether a notification was handed over in this turn of the event loop: answers then wait for the next.
      let notified = false;
      target.onmessage = (message, extra) => {
        if (!('id' in message && ('result' in message || 'error' in message))) {
          if (!notified && !('id' in message)) {
            notified = true;
            setImmediate(() => (notified = false));
          }
          return deliver(message, extra);
        }
        const result = 'result' in message ? (message.result as Record<string, unknown>) : undefined;
        const answer = (result?.resultType === 'task' ? { ...message, result: wrapTaskAnswer(result) } : message) as typeof message;
        if (notified) setImmediate(() => deliver(answer, extra));
        else deliver(answer, extra);
      };
      return true;
    },
  });
}

export function createTransport(name: string, config: ServerConfig, kind: TransportKind, baseDir: string, dataDir?: string): Transport {
  return forHubClient(openTransport(name, config, kind, baseDir, dataDir));
}

function openTransport(name: string, config: ServerConfig, kind: TransportKind, baseDir: string, dataDir?: string): Transport {
  if (kind === 'stdio') {
    // A `package:` server runs its bin with this Node, wherever npm installed it.
    const script = config.package ? packageBin(config.package, config.bin, baseDir, name) : undefined;
    return new ServerProcessTransport({
      command: script ? process.execPath : config.command!,
      args: script ? [script, ...config.args] : config.args,
      // Only a minimal base (PATH, HOME, ...) plus what the entry names: one app's secrets never
      // reach another app's process, as Claude Desktop does it. MCP_HUB_DATA_DIR names the hub's data
      // (memory, workflows, audit): servers that read local files (Telegram's uploads) refuse it.
      env: { ...getDefaultEnvironment(), ...(dataDir ? { MCP_HUB_DATA_DIR: dataDir } : {}), ...config.env },
      cwd: path.resolve(baseDir, config.cwd ?? '.'),
      stderr: 'pipe',
    });
  }
  const url = new URL(config.url!);
  const requestInit = { headers: config.headers };
  return kind === 'sse' ? new SSEClientTransport(url, { requestInit, eventSourceInit: { fetch: headerFetch(config.headers) } }) : new StreamableHTTPClientTransport(url, { requestInit });
}

/** EventSource takes no headers of its own; this adds the configured ones to its GET. */
function headerFetch(headers: Record<string, string>) {
  return (url: string | URL, init?: RequestInit) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } });
}
