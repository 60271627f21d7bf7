// Helpers for the LLM tests: a clock the test drives, a silent logger, and an MCP client/server pair
// whose client answers sampling/createMessage (the sampling provider's real path).
import { EventEmitter } from 'node:events';
import winston from 'winston';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CreateMessageRequestSchema, type ClientCapabilities, type CreateMessageRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Caller } from '../src/access/caller.js';
import type { Clock } from '../src/llm/index.js';

export const quietLog = winston.createLogger({ silent: true });

/**
 * Time stands still until the test moves it. With `auto`, every sleep completes at once (time jumps
 * forward); otherwise a sleep waits for advance().
 */
export class TestClock extends EventEmitter implements Clock {
  time = 1_000_000;
  readonly sleeps: number[] = [];
  private pending: Array<{ at: number; resolve: () => void }> = [];

  constructor(private readonly auto: boolean) {
    super();
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (this.auto) {
      this.time += ms;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ at: this.time + ms, resolve });
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      this.emit('sleep', ms);
    });
  }

  /** Resolves with the length of the next sleep that starts. */
  nextSleep(): Promise<number> {
    return new Promise((resolve) => this.once('sleep', resolve));
  }

  advance(ms: number): void {
    this.time += ms;
    const due = this.pending.filter((p) => p.at <= this.time);
    this.pending = this.pending.filter((p) => p.at > this.time);
    for (const p of due) p.resolve();
  }
}

export type SamplingHandler = (params: CreateMessageRequest['params']) => unknown;

/** A connected MCP Server/Client pair; the returned Caller sends requests from the server side. */
export async function samplingPair(capabilities: ClientCapabilities, handler?: SamplingHandler) {
  const server = new Server({ name: 'hub-under-test', version: '1' }, { capabilities: {} });
  const client = new Client({ name: 'sampling-client', version: '1' }, { capabilities });
  const received: Array<CreateMessageRequest['params']> = [];
  if (handler) {
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      received.push(request.params);
      return handler(request.params) as never;
    });
  }
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(a), client.connect(b)]);
  const caller: Caller = {
    capabilities: () => server.getClientCapabilities(),
    sendRequest: (request, schema) => server.request(request as never, schema as never) as never,
  };
  return { caller, received, close: async () => (await client.close(), await server.close()) };
}
