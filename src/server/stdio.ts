// stdio transport for the hub (Claude Desktop and other local clients). stdout is the protocol channel:
// the logger writes to stderr only, and nothing else here writes at all. The SDK pins each connection to
// the revision its first message speaks (initialize: 2025-11-25; a request carrying its _meta: 2026-07-28).
//
// stdin is the hub's edge for a local client: each line is bounded in size and nesting before it is
// parsed, and a line that is too long, too deep, not JSON or not JSON-RPC is answered with an error
// (id null, as JSON-RPC 2.0 asks) while the next line is read. The SDK's own stdio transport drops such
// lines silently or closes the connection, so the hub brings a transport of its own.
import { STDIO_DEFAULT_MAX_BUFFER_SIZE, parseJSONRPCMessage, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/server';
import { serveStdio as serveBothRevisions } from '@modelcontextprotocol/server/stdio';
import type { SessionHost } from './http.js';
import { localPrincipal } from '../access/principal.js';
import { JsonLimitError, nestsDeeperThan, tooDeepError, tooLargeError } from './json-limits.js';
import { installLastResort } from './last-resort.js';
import { WriteBatch } from '../downstream/transport.js';
import { DirectToolCalls } from './direct-calls.js';
import { childLogger } from '../log/logger.js';

/** Longest line read from stdin: the SDK's own bound (which closed the session; here only the line is refused). */
export const MAX_LINE_BYTES = STDIO_DEFAULT_MAX_BUFFER_SIZE;

const NEWLINE = 0x0a;

/** JSON-RPC over newline-delimited stdin/stdout, with every line bounded (see the header). */
export class BoundedStdioTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  private buffer?: Buffer;
  /** Inside an over-long line: bytes are dropped up to its newline. */
  private skipping = false;
  private closed = false;
  private readonly batch = new WriteBatch();

  constructor(
    private readonly stdin: NodeJS.ReadableStream = process.stdin,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  async start(): Promise<void> {
    this.stdin.on('data', this.ondata);
    this.stdin.on('error', this.onstreamerror);
  }

  private readonly onstreamerror = (err: Error) => this.onerror?.(err);

  private readonly ondata = (chunk: Buffer) => {
    if (this.skipping) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) return;
      this.skipping = false;
      chunk = chunk.subarray(nl + 1);
    }
    this.buffer = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (let nl = this.buffer.indexOf(NEWLINE); nl !== -1; nl = this.buffer.indexOf(NEWLINE)) {
      const line = this.buffer.subarray(0, nl);
      this.buffer = this.buffer.subarray(nl + 1);
      if (line.length > this.maxLineBytes) this.refuse(tooLargeError(this.maxLineBytes, 'the line'));
      else this.read(line);
    }
    // What is left is the start of one line: past the limit with no newline yet, it is dropped now and memory stays bounded.
    if (this.buffer.length > this.maxLineBytes) {
      this.buffer = undefined;
      this.skipping = true;
      this.refuse(tooLargeError(this.maxLineBytes, 'the line'));
    }
  };

  private read(line: Buffer): void {
    if (!line.length || (line.length === 1 && line[0] === 0x0d)) return;
    if (nestsDeeperThan(line)) return this.refuse(tooDeepError());
    let value: unknown;
    try {
      value = JSON.parse(line.toString('utf8'));
    } catch {
      return this.refuse({ code: -32700, message: 'Parse error: the line is not valid JSON' });
    }
    let message: JSONRPCMessage;
    try {
      message = parseJSONRPCMessage(value);
    } catch {
      return this.refuse({ code: -32600, message: 'Invalid Request: not a JSON-RPC 2.0 message' });
    }
    this.onmessage?.(message);
  }

  private refuse(error: JsonLimitError | { code: number; message: string }): void {
    void this.send({ jsonrpc: '2.0', id: null, error: { code: error.code, message: error.message } } as unknown as JSONRPCMessage).catch(() => undefined);
  }

  /** Answers written in one turn of the event loop leave in one write (see WriteBatch). */
  send(message: JSONRPCMessage): Promise<void> {
    return this.batch.write(this.stdout, JSON.stringify(message) + '\n');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stdin.off('data', this.ondata);
    this.stdin.off('error', this.onstreamerror);
    this.buffer = undefined;
    this.onclose?.();
  }
}

export async function serveStdio(host: SessionHost, onClosed: () => void): Promise<() => Promise<void>> {
  installLastResort();
  // One client, pinned to the revision it speaks; it is the local user.
  const session = host.newSession(localPrincipal('stdio'));
  // A plain tools/call of a catalog tool is handed to the session directly (./direct-calls.ts): the same pipeline, without the SDK's dispatch around it.
  const handle = serveBothRevisions(() => session.server, { transport: new DirectToolCalls(new BoundedStdioTransport(), session, childLogger('stdio')) });
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
  return async () => {
    await handle.close();
    await session.close();
  };
}
