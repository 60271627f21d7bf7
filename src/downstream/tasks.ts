// The tasks extension (io.modelcontextprotocol/tasks, MCP 2026-07-28) through the hub. A 2026 server may answer a
// tools/call with a task handle and the result later (tasks/get). A client that takes tasks gets the handle under
// a hub task id (`<server>/<its task id>`), and its tasks/get|update|cancel go to that server, for the principal
// that started the task only. Any other client (2025-11-25, or 2026 without the extension) gets the final result
// at the end of its call: the hub polls the task, asks the client what the task asks, and cancels it when the
// call is cancelled.
import { ProtocolError, ProtocolErrorCode, type CallToolResult, type Client } from '@modelcontextprotocol/client';
import { z } from 'zod';
import type { CallContext } from '../access/caller.js';
import { askCaller } from './server-requests.js';

export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/**
 * Where a task handle travels inside the hub's client: the SDK client refuses a result of type "task" before
 * anything can read it, so the transport (./transport.ts) hands it over as a complete result carrying the handle here.
 */
export const TASK_HANDLE_KEY = 'org.mcp-orchestrator/task';

export const TaskSchema = z
  .object({
    taskId: z.string(),
    status: z.enum(['working', 'input_required', 'completed', 'failed', 'cancelled']),
    pollIntervalMs: z.number().optional(),
    inputRequests: z.record(z.string(), z.object({ method: z.string(), params: z.record(z.string(), z.unknown()).optional() }).passthrough()).optional(),
    result: z.record(z.string(), z.unknown()).optional(),
    error: z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() }).passthrough().optional(),
  })
  .passthrough();
export type Task = z.output<typeof TaskSchema>;
const Ack = z.object({}).passthrough();

/** The task handle a downstream answer carries, if it is one. */
export function taskHandle(result: unknown): Task | undefined {
  const handle = (result as { _meta?: Record<string, unknown> } | undefined)?._meta?.[TASK_HANDLE_KEY];
  const parsed = handle === undefined ? undefined : TaskSchema.safeParse(handle);
  return parsed?.success ? parsed.data : undefined;
}

/** A transport-level answer of type "task", as the hub's client can take it (see TASK_HANDLE_KEY). */
export function wrapTaskAnswer(result: Record<string, unknown>): Record<string, unknown> {
  const { resultType: _type, _meta, content: _content, ...task } = result;
  return { resultType: 'complete', content: [], _meta: { ...(_meta as object), [TASK_HANDLE_KEY]: task } };
}

/** Whether the caller's client takes task handles (a 2026 client that declared the extension). */
export function takesTasks(ctx: CallContext): boolean {
  const extensions = (ctx.caller?.capabilities() as { extensions?: Record<string, unknown> } | undefined)?.extensions;
  return extensions?.[TASKS_EXTENSION] !== undefined;
}

const MIN_POLL_MS = 50;
const MAX_POLL_MS = 5_000;

/**
 * Follows a task to its end for a caller that cannot take it: polls tasks/get at the server's pace, answers its
 * input requests through the caller (tasks/update), cancels it when the call is cancelled.
 */
export async function followTask(client: Client, task: Task, ctx: CallContext, server: string): Promise<CallToolResult> {
  const { taskId } = task;
  const cancel = () => void client.request({ method: 'tasks/cancel', params: { taskId } }, Ack).catch(() => undefined);
  ctx.signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (let current = task; ; ) {
      if (ctx.signal?.aborted) throw new ProtocolError(ProtocolErrorCode.InternalError, `the call was cancelled; task ${taskId} of server "${server}" was cancelled too`);
      switch (current.status) {
        case 'completed':
          return current.result as CallToolResult;
        case 'failed':
          throw new ProtocolError(current.error?.code ?? ProtocolErrorCode.InternalError, `task ${taskId} of server "${server}" failed: ${current.error?.message ?? 'no reason given'}`, current.error?.data);
        case 'cancelled':
          throw new ProtocolError(ProtocolErrorCode.InternalError, `task ${taskId} of server "${server}" was cancelled`);
        case 'input_required': {
          const asked = Object.entries(current.inputRequests ?? {}).map(async ([key, request]) => [key, await askCaller(ctx.caller, request, key)] as const);
          const inputResponses = Object.fromEntries(await Promise.all(asked));
          await client.request({ method: 'tasks/update', params: { taskId, inputResponses } }, Ack, { signal: ctx.signal });
          break;
        }
        default:
          await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, current.pollIntervalMs ?? 1_000))));
      }
      current = await client.request({ method: 'tasks/get', params: { taskId } }, TaskSchema, { signal: ctx.signal });
    }
  } finally {
    ctx.signal?.removeEventListener('abort', cancel);
  }
}

/** Hub task ids handed to clients: which server's task each is, and whose. */
export class TaskRegistry {
  private readonly tasks = new Map<string, { server: string; taskId: string; owner: string; expires: number }>();

  /** The hub's id for a server's task, started by `owner` (a principal key). */
  add(server: string, taskId: string, owner: string, ttlMs = 3_600_000): string {
    const id = `${server}/${taskId}`;
    this.sweep();
    this.tasks.set(id, { server, taskId, owner, expires: Date.now() + ttlMs });
    return id;
  }

  /** The server's task behind a hub task id, for its owner only: anyone else learns nothing (it reads as unknown). */
  resolve(id: string, owner: string): { server: string; taskId: string } {
    const entry = this.tasks.get(id);
    if (!entry || entry.owner !== owner || entry.expires < Date.now()) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `unknown task "${id}"`);
    return entry;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.tasks) if (entry.expires < now) this.tasks.delete(id);
  }
}
