// Builds the client transport for one downstream server from its config entry.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PassThrough, type Stream } from 'node:stream';
import { getDefaultEnvironment, type StdioServerParameters } from '@modelcontextprotocol/client/stdio';
import { ReadBuffer, SSEClientTransport, SdkError, SdkErrorCode, StreamableHTTPClientTransport, serializeMessage, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/client';
import type { ServerConfig } from '../config/schema.js';
import { packageBin } from './package-bin.js';
import { wrapTaskAnswer } from './tasks.js';

/**
 * A stdio server's transport: the SDK's StdioClientTransport (spawn, the SDK's own line reader and message
 * check, the same close sequence), with one difference: what the hub writes in one turn of the event loop
 * reaches the server's stdin in one write. Under load many calls leave in the same turn (a chunk of client
 * requests is read at once); one write per message cost a system call and a wake-up of the server each,
 * which was a fifth of the hub's CPU time per call (bench/README.md).
 *
 * Not a subclass of the SDK's: the SDK, meeting its own StdioClientTransport, probes the revision in a
 * throwaway copy of the server (a second process per start); any other stdio transport is probed in
 * place, on the process that then serves: one start, as the hub always had. A server that answers the
 * probe with an error gets the 2025-11-25 handshake after it on the same process.
 */
export class ServerProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private process?: ChildProcess;
  private readonly readBuffer: ReadBuffer;
  private readonly stderrStream?: PassThrough;
  private readonly batch = new WriteBatch();

  constructor(private readonly params: StdioServerParameters) {
    this.readBuffer = new ReadBuffer({ maxBufferSize: params.maxBufferSize });
    if (params.stderr === 'pipe' || params.stderr === 'overlapped') this.stderrStream = new PassThrough();
  }

  start(): Promise<void> {
    if (this.process) throw new Error('ServerProcessTransport already started');
    return new Promise((resolve, reject) => {
      const child = spawn(this.params.command, this.params.args ?? [], {
        env: { ...getDefaultEnvironment(), ...this.params.env },
        stdio: ['pipe', 'pipe', this.params.stderr ?? 'inherit'],
        shell: false,
        windowsHide: process.platform === 'win32',
        cwd: this.params.cwd,
      });
      this.process = child;
      child.on('error', (error) => {
        reject(error);
        this.onerror?.(error);
      });
      child.on('spawn', () => resolve());
      child.on('close', () => {
        this.process = undefined;
        this.onclose?.();
      });
      child.stdin?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('data', (chunk: Buffer) => {
        try {
          this.readBuffer.append(chunk);
          this.processReadBuffer();
        } catch (error) {
          this.onerror?.(error as Error);
          void this.close().catch(() => undefined);
        }
      });
      child.stdout?.on('error', (error) => this.onerror?.(error));
      if (this.stderrStream && child.stderr) child.stderr.pipe(this.stderrStream);
    });
  }

  /** The server's stderr: with `stderr: 'pipe'`, a stream readable before start() (early output is kept). */
  get stderr(): Stream | null {
    return this.stderrStream ?? this.process?.stderr ?? null;
  }

  get pid(): number | null {
    return this.process?.pid ?? null;
  }

  private processReadBuffer(): void {
    for (;;) {
      try {
        const message = this.readBuffer.readMessage();
        if (message === null) break;
        this.onmessage?.(message);
      } catch (error) {
        this.onerror?.(error as Error);
      }
    }
  }

  async close(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (child) {
      const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
      const grace = () => new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref());
      try {
        child.stdin?.end();
      } catch {
        // already gone
      }
      await Promise.race([closed, grace()]);
      if (child.exitCode === null) {
        try {
          child.kill('SIGTERM');
        } catch {
          // already gone
        }
        await Promise.race([closed, grace()]);
      }
      if (child.exitCode === null) {
        try {
          child.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    this.readBuffer.clear();
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.process?.stdin;
    if (!stdin) return Promise.reject(new SdkError(SdkErrorCode.NotConnected, 'Not connected'));
    return this.batch.write(stdin, serializeMessage(message));
  }
}

/**
 * Messages written to one stream in the same turn of the event loop, sent in one system call: the stream is
 * corked at the first and uncorked once the turn's microtasks have run (process.nextTick), so nothing waits
 * for a later turn. Resolves like a plain write: at once, or on 'drain' when the stream's buffer is full.
 */
export class WriteBatch {
  private corked?: NodeJS.WritableStream;

  write(stream: NodeJS.WritableStream, data: string): Promise<void> {
    if (this.corked !== stream && typeof (stream as { cork?: unknown }).cork === 'function') {
      const writable = stream as NodeJS.WritableStream & { cork(): void; uncork(): void };
      this.corked = writable;
      writable.cork();
      process.nextTick(() => {
        if (this.corked === writable) this.corked = undefined;
        writable.uncork();
      });
    }
    return new Promise((resolve) => {
      if (stream.write(data)) resolve();
      else stream.once('drain', resolve);
    });
  }
}

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
