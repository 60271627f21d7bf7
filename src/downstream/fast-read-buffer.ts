// A drop-in for the SDK's stdio ReadBuffer that skips the transport-level schema parse for the two
// message shapes of the tools/call fast path (a tools/call request coming in, a response to one of the
// fast path's own ids coming back): the relay and direct-calls check those themselves, and the parse is
// a visible share of a relayed call's cost. Every other message is parsed exactly as the SDK does.
import { STDIO_DEFAULT_MAX_BUFFER_SIZE } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ID_PREFIX } from './direct-calls.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const only = (m: Record<string, unknown>, keys: string[]) => Object.keys(m).every((k) => keys.includes(k));

/**
 * True only for messages the SDK schema would accept as they are (strict keys included), so skipping its
 * parse changes nothing but the cost: anything unusual takes the SDK's parse and its errors.
 */
function fastPathShape(m: Record<string, unknown>): boolean {
  if (m.jsonrpc !== '2.0') return false;
  if (m.method === 'tools/call') {
    const p = m.params;
    if (!only(m, ['jsonrpc', 'id', 'method', 'params']) || !(typeof m.id === 'string' || typeof m.id === 'number') || !isObject(p)) return false;
    if (typeof p.name !== 'string' || 'task' in p || !(p.arguments === undefined || isObject(p.arguments))) return false;
    const meta = p._meta;
    return meta === undefined || (isObject(meta) && (meta.progressToken === undefined || typeof meta.progressToken === 'string' || typeof meta.progressToken === 'number'));
  }
  if (m.method !== undefined || typeof m.id !== 'string' || !m.id.startsWith(ID_PREFIX)) return false;
  if ('result' in m) return only(m, ['jsonrpc', 'id', 'result']) && isObject(m.result);
  const e = m.error;
  return only(m, ['jsonrpc', 'id', 'error']) && isObject(e) && only(e, ['code', 'message', 'data']) && Number.isInteger(e.code) && typeof e.message === 'string';
}

/**
 * Bounds for a stream from an untrusted peer (the hub's own stdin). Without them the buffer behaves as
 * the SDK's: past 10 MiB it throws, and the SDK transport closes on that.
 */
export interface LineLimits {
  /** Longest line accepted. A longer one is dropped (skipped up to its newline) and reported; the stream goes on. */
  maxLineBytes: number;
  /** The error reported for a line over maxLineBytes. */
  tooLong: () => Error;
  /** Looks at a whole line before it is parsed: an error refuses it (e.g. nesting too deep). */
  screen?: (line: Buffer) => Error | undefined;
}

const NEWLINE = 0x0a;

export class FastReadBuffer {
  private buffer?: Buffer;
  /** Inside an over-long line that was dropped: bytes are discarded up to its newline. */
  private skipping = false;
  /** An error to report from the next readMessage (append must not throw: the SDK closes the transport then). */
  private pending?: Error;

  constructor(private readonly limits?: LineLimits) {}

  append(chunk: Buffer): void {
    if (!this.limits) {
      const size = (this.buffer?.length ?? 0) + chunk.length;
      if (size > STDIO_DEFAULT_MAX_BUFFER_SIZE) {
        this.clear();
        throw new Error(`ReadBuffer exceeded maximum size of ${STDIO_DEFAULT_MAX_BUFFER_SIZE} bytes`);
      }
      this.buffer = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
      return;
    }
    if (this.skipping) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) return;
      this.skipping = false;
      chunk = chunk.subarray(nl + 1);
      if (!chunk.length) return;
    }
    this.buffer = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    // The transport reads whole lines after each append, so what is left is (the start of) one line:
    // past the limit without a newline in reach, it is dropped now and memory stays bounded.
    if (this.buffer.length > this.limits.maxLineBytes) {
      const nl = this.buffer.indexOf(NEWLINE);
      if (nl === -1 || nl > this.limits.maxLineBytes) {
        this.buffer = nl === -1 ? undefined : this.buffer.subarray(nl + 1);
        this.skipping = nl === -1;
        this.pending = this.limits.tooLong();
      }
    }
  }

  readMessage(): JSONRPCMessage | null {
    if (this.pending) {
      const error = this.pending;
      this.pending = undefined;
      throw error;
    }
    if (!this.buffer) return null;
    const index = this.buffer.indexOf(NEWLINE);
    if (index === -1) return null;
    const limits = this.limits;
    const refused = limits && (index > limits.maxLineBytes ? limits.tooLong() : limits.screen?.(this.buffer.subarray(0, index)));
    const line = refused ? '' : this.buffer.toString('utf8', 0, index).replace(/\r$/, '');
    this.buffer = this.buffer.subarray(index + 1);
    if (refused) throw refused;
    const value: unknown = JSON.parse(line);
    return isObject(value) && fastPathShape(value) ? (value as JSONRPCMessage) : JSONRPCMessageSchema.parse(value);
  }

  clear(): void {
    this.buffer = undefined;
    this.skipping = false;
    this.pending = undefined;
  }
}

/** Fits a FastReadBuffer into an SDK stdio transport (server or client); a transport without one is left as it is. */
export function useFastReadBuffer(transport: Transport, limits?: LineLimits): Transport {
  const t = transport as unknown as { _readBuffer?: unknown };
  if (t._readBuffer !== undefined) t._readBuffer = new FastReadBuffer(limits);
  return transport;
}
