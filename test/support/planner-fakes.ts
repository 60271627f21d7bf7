// In-process stand-ins for the planner's unit tests: a catalog of tools whose behaviour each test
// scripts, and an Llm that answers from a script and records every request. The end-to-end tests go
// through the real hub and the mock LLM API instead.
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { CallContext } from '../../src/access/caller.js';
import type { Llm, LlmRequest, LlmResponse } from '../../src/llm/types.js';
import type { IndexedTool } from '../../src/routing/index.js';

export type Handler = (args: Record<string, unknown>, ctx: CallContext) => Promise<CallToolResult> | CallToolResult;

export interface FakeToolDef {
  name: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
  annotations?: Tool['annotations'];
  handler?: Handler;
}

export const READ_ONLY = { readOnlyHint: true } as const;
export const CREATE = { readOnlyHint: false, destructiveHint: false, idempotentHint: false } as const;
export const DESTROY = { readOnlyHint: false, destructiveHint: true, idempotentHint: true } as const;

export function ok(structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

export function text(t: string): CallToolResult {
  return { content: [{ type: 'text', text: t }] };
}

export function fail(t: string): CallToolResult {
  return { content: [{ type: 'text', text: t }], isError: true };
}

export class FakeCatalog {
  readonly calls: Array<{ name: string; args: Record<string, unknown> }> = [];
  private readonly defs = new Map<string, FakeToolDef>();

  constructor(defs: FakeToolDef[]) {
    for (const d of defs) this.defs.set(d.name, d);
  }

  on(name: string, handler: Handler): this {
    this.defs.get(name)!.handler = handler;
    return this;
  }

  getTool(name: string): { name: string; tool: Tool } | undefined {
    const d = this.defs.get(name);
    if (!d) return undefined;
    const tool: Tool = {
      name,
      description: d.description ?? name,
      inputSchema: (d.inputSchema ?? { type: 'object' }) as Tool['inputSchema'],
      ...(d.annotations ? { annotations: d.annotations } : {}),
    };
    return { name, tool };
  }

  tools(): Array<{ name: string }> {
    return [...this.defs.keys()].map((name) => ({ name }));
  }

  async callTool(name: string, args: Record<string, unknown> | undefined, ctx: CallContext): Promise<CallToolResult> {
    this.calls.push({ name, args: args ?? {} });
    const d = this.defs.get(name);
    if (!d) return fail(`Unknown tool "${name}"`);
    return d.handler ? d.handler(args ?? {}, ctx) : ok({});
  }

  callsTo(name: string): Array<Record<string, unknown>> {
    return this.calls.filter((c) => c.name === name).map((c) => c.args);
  }

  /** The tools as routing documents, grouped by server, for a real ToolIndex. */
  byServer(): Map<string, IndexedTool[]> {
    const out = new Map<string, IndexedTool[]>();
    for (const d of this.defs.values()) {
      const [server, originalName] = d.name.split('__');
      const list = out.get(server) ?? [];
      list.push({ name: d.name, server, originalName, description: d.description, inputSchema: d.inputSchema, annotations: d.annotations });
      out.set(server, list);
    }
    return out;
  }
}

export type Reply = Partial<LlmResponse> | ((req: LlmRequest) => Partial<LlmResponse> | Promise<Partial<LlmResponse>>);

/** Answers requests in order from the script; throws when the script runs out. */
export class ScriptedLlm implements Llm {
  readonly requests: LlmRequest[] = [];

  constructor(private readonly replies: Reply[]) {}

  async complete(req: LlmRequest): Promise<LlmResponse> {
    this.requests.push(structuredClone({ ...req, signal: undefined }));
    const next = this.replies.shift();
    if (!next) throw new Error('ScriptedLlm: no reply left');
    const r = typeof next === 'function' ? await next(req) : next;
    return { text: '', toolCalls: [], usage: { inputTokens: 100, outputTokens: 20 }, provider: 'scripted', model: 'test', costUsd: 0.001, ...r };
  }

  availability() {
    return { ok: true as const };
  }

  usage() {
    return { byModel: [], totals: { calls: this.requests.length, inputTokens: 0, outputTokens: 0, costUsd: 0 } };
  }
}

/** A submit_plan tool call answer. */
export function planReply(plan: unknown): Partial<LlmResponse> {
  return { toolCalls: [{ name: 'submit_plan', arguments: plan as Record<string, unknown> }] };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
