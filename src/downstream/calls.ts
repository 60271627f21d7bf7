// Requests to one downstream server on behalf of a caller: under its circuit breaker and concurrency
// limit, with its timeout (restarted by each progress report), cancellation from the caller, progress
// relayed back, the caller registered so the server's own requests reach it, and error texts that say
// what happened and what to do.
import {
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  type CallToolResult,
  type Client,
  type CompleteRequest,
  type CompleteResult,
  type GetPromptResult,
  type ReadResourceResult,
  type ResultTypeMap,
  isInputRequiredResult,
  specTypeSchemas,
} from '@modelcontextprotocol/client';
import { z } from 'zod';
import type { CallContext } from '../access/caller.js';
import type { ServerConfig } from '../config/schema.js';
import type { CircuitBreaker, ConcurrencyLimit } from './breaker.js';
import { askCaller, relayableCapabilities, type CallersInFlight } from './server-requests.js';
import { TaskSchema, followTask, taskHandle, takesTasks, type Task, type TaskRegistry } from './tasks.js';

const TaskAck = z.object({}).passthrough();

/** What the calls need of their connection. */
export interface CallHost {
  readonly name: string;
  readonly config: ServerConfig;
  readonly breaker: CircuitBreaker;
  readonly limit: ConcurrencyLimit;
  readonly callers: CallersInFlight;
  /** Hub task ids handed to clients (shared by every server). */
  readonly tasks: TaskRegistry;
  /** The client once the server is ready (waiting for a starting one, up to the call's timeout), or throws why not. */
  ready(signal?: AbortSignal): Promise<Client>;
  /** The server's last meaningful stderr line, for error texts. */
  lastStderr(): string | undefined;
}

/** Errors that say the server is unwell (it died or did not answer), as opposed to a JSON-RPC error it chose to send. */
export function isServerFailure(err: unknown): boolean {
  return err instanceof SdkError && (err.code === SdkErrorCode.ConnectionClosed || err.code === SdkErrorCode.RequestTimeout);
}

export class DownstreamCalls {
  constructor(private readonly host: CallHost) {}

  callTool(name: string, args: Record<string, unknown> | undefined, ctx: CallContext = {}): Promise<CallToolResult> {
    // request() rather than callTool(): the hub passes results through; the upstream client validates them.
    return this.run(ctx, `the call to ${name}`, (client, options) => this.rounds(client, 'tools/call', { name, arguments: args ?? {} }, options, ctx));
  }

  readResource(uri: string, ctx: CallContext = {}): Promise<ReadResourceResult> {
    return this.run(ctx, `reading ${uri}`, (client, options) => this.rounds(client, 'resources/read', { uri }, options, ctx));
  }

  getPrompt(name: string, args: Record<string, string> | undefined, ctx: CallContext = {}): Promise<GetPromptResult> {
    return this.run(ctx, `the prompt ${name}`, (client, options) => this.rounds(client, 'prompts/get', { name, ...(args ? { arguments: args } : {}) }, options, ctx));
  }

  /**
   * A request that a 2026-07-28 server may answer with input_required: each round's questions go to this
   * call's own caller (never to whichever client happens to have calls in flight), and the request is
   * sent again with the answers and the server's requestState, until it completes. A 2025-11-25 server
   * asks with requests of its own instead (./server-requests.ts).
   */
  private async rounds<M extends 'tools/call' | 'resources/read' | 'prompts/get'>(client: Client, method: M, params: Record<string, unknown>, options: RequestOptions, ctx: CallContext): Promise<ResultTypeMap[M]> {
    const base = { ...params, ...meta(client, ctx) };
    let next: Record<string, unknown> = base;
    for (let round = 0; ; round++) {
      const result: unknown = await client.request({ method, params: next }, RESULT_SCHEMAS[method], { ...options, allowInputRequired: true });
      const task = method === 'tools/call' ? taskHandle(result) : undefined;
      if (task) return this.task(client, task, ctx) as Promise<ResultTypeMap[M]>;
      if (!isInputRequiredResult(result)) return result as ResultTypeMap[M];
      if (round >= MAX_ROUNDS) throw new ProtocolError(ProtocolErrorCode.InternalError, `server "${this.host.name}" asked for input ${MAX_ROUNDS} times in one ${method}; gave up`);
      // Asked together and under the server's own keys: a 2026 client behind the hub gets one round with all of them.
      const asked = Object.entries(result.inputRequests ?? {}).map(async ([key, request]) => [key, await askCaller(ctx.caller, request as { method: string; params?: Record<string, unknown> }, key)] as const);
      const inputResponses = Object.fromEntries(await Promise.all(asked));
      next = { ...base, inputResponses, ...(result.requestState !== undefined ? { requestState: result.requestState } : {}) };
    }
  }

  complete(params: CompleteRequest['params'], ctx: CallContext = {}): Promise<CompleteResult> {
    return this.run(ctx, 'completion', (client, options) => client.complete(params, options));
  }

  subscribeResource(uri: string, subscribe: boolean): Promise<unknown> {
    return this.run({}, `subscribing to ${uri}`, (client, options) => (subscribe ? client.subscribeResource({ uri }, options) : client.unsubscribeResource({ uri }, options)));
  }

  /** A task a server answered a call with: handed on under a hub task id to a client that takes tasks, else followed to its result. */
  private async task(client: Client, task: Task, ctx: CallContext): Promise<CallToolResult> {
    const owner = ctx.caller?.principal.key;
    if (!owner || !takesTasks(ctx)) return followTask(client, task, ctx, this.host.name);
    const taskId = this.host.tasks.add(this.host.name, task.taskId, owner, typeof task.ttlMs === 'number' ? task.ttlMs : undefined);
    return { ...task, taskId, resultType: 'task', content: [] } as unknown as CallToolResult;
  }

  /** tasks/get, tasks/update or tasks/cancel of a task this server started, for the hub task id `taskId`. */
  async taskRequest(method: 'tasks/get' | 'tasks/update' | 'tasks/cancel', serverTaskId: string, hubTaskId: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.run({}, `${method} of task ${serverTaskId}`, async (client, options) => {
      const answer = (await client.request({ method, params: { ...params, taskId: serverTaskId } }, method === 'tasks/get' ? TaskSchema : TaskAck, options)) as Record<string, unknown>;
      return method === 'tasks/get' ? { ...answer, taskId: hubTaskId } : {};
    });
  }

  /** One request to the server, under its circuit breaker and concurrency limit. */
  private async run<T>(ctx: CallContext, what: string, send: (client: Client, options: RequestOptions) => Promise<T>): Promise<T> {
    const { host } = this;
    const refused = host.breaker.admit();
    if (refused) throw new ProtocolError(ProtocolErrorCode.InternalError, refused);
    let verdict: 'ok' | 'failed' | undefined;
    let slot = false;
    try {
      await host.limit.acquire(ctx.signal);
      slot = true;
      const client = await host.ready(ctx.signal);
      host.callers.enter(ctx.caller);
      try {
        const onprogress = ctx.onprogress;
        const result = await send(client, {
          signal: ctx.signal,
          timeout: host.config.timeoutMs,
          // Each progress report restarts the timeout: a long job that reports is not a hung one.
          resetTimeoutOnProgress: true,
          ...(onprogress ? { onprogress: (p: Record<string, unknown>) => onprogress(p as never) } : {}),
        });
        verdict = 'ok';
        return result;
      } catch (err) {
        if (!ctx.signal?.aborted && isServerFailure(err)) verdict = 'failed';
        throw this.explain(err, what, ctx);
      } finally {
        host.callers.leave(ctx.caller);
      }
    } finally {
      if (slot) host.limit.release();
      // A server that is down (not ready) or a cancelled call gives no verdict on the server's health.
      if (verdict === 'ok') host.breaker.success();
      else if (verdict === 'failed') host.breaker.failure();
      else host.breaker.release();
    }
  }

  private explain(err: unknown, what: string, ctx: CallContext): Error {
    const { name, config } = this.host;
    if (ctx.signal?.aborted) return new SdkError(SdkErrorCode.RequestTimeout, `${what} was cancelled`);
    if (err instanceof SdkError && err.code === SdkErrorCode.ConnectionClosed) {
      const detail = this.host.lastStderr();
      return new ProtocolError(ProtocolErrorCode.InternalError, `server "${name}" exited during ${what}${detail ? ` (last stderr: ${detail})` : ''}; it is being restarted, retry the call`);
    }
    if (err instanceof SdkError && err.code === SdkErrorCode.RequestTimeout) {
      return new SdkError(SdkErrorCode.RequestTimeout, `server "${name}" did not answer ${what} within ${config.timeoutMs} ms; the call was cancelled (raise servers.${name}.timeoutMs if it is just slow)`);
    }
    // A client without a capability the server needs is the client's to know about: it passes unchanged.
    if (err instanceof ProtocolError && err.code !== ProtocolErrorCode.MissingRequiredClientCapability) {
      return new ProtocolError(err.code, `server "${name}" answered ${what} with an error (${err.code}): ${err.message}`, err.data);
    }
    return err as Error;
  }
}

/**
 * The result schemas, given explicitly: without one, the SDK looks its era's schema up on every request by
 * validating `undefined` against it and formatting the failure (a tenth of the hub's CPU per proxied call,
 * bench/README.md). These are the SDK's own public schemas of the same results.
 */
const RESULT_SCHEMAS = {
  'tools/call': specTypeSchemas.CallToolResult,
  'resources/read': specTypeSchemas.ReadResourceResult,
  'prompts/get': specTypeSchemas.GetPromptResult,
} as const;

/** Rounds of input one request may take (the SDK's own cap for its automatic rounds is 8). */
const MAX_ROUNDS = 8;

type RequestOptions = { signal?: AbortSignal; timeout: number; resetTimeoutOnProgress: boolean; onprogress?: (p: Record<string, unknown>) => void };

/**
 * The caller's capabilities and log level, for a 2026-07-28 server: its requests carry them (a 2025 one
 * learnt the hub's capabilities at initialize, and logs as it sees fit).
 */
function meta(client: Client, ctx: CallContext): { _meta?: Record<string, unknown> } {
  if (client.getProtocolEra() !== 'modern') return {};
  const logLevel = ctx.caller?.logLevel?.();
  return { _meta: { [CLIENT_CAPABILITIES_META_KEY]: relayableCapabilities(ctx.caller), ...(logLevel ? { [LOG_LEVEL_META_KEY]: logLevel } : {}) } };
}
