// A stdio client's plain tools/call of a catalog tool, handed to the session directly instead of through the
// SDK Server's dispatch. The call itself is the same: Session.directToolCall runs the same handle() and
// callTool() as the SDK's tools/call handler, so Hub.callTool (scope, audit, metrics) and Catalog.callTool
// (arguments, the downstream call, result handling) do the work. What is skipped is the SDK's per-request
// machinery around it: its inbound queue, the request's validation (twice), its context, the input_required
// seam a 2025-11-25 request never uses, and the result's validation (the catalog's results are the SDK's
// CallToolResult already: DownstreamCalls validates each server's with the SDK's schema, and errors are made
// by toolError).
//
// Taken: a request `tools/call` whose params hold a string `name`, an object `arguments` or none, and a
// `_meta` of a progressToken only, from a session initialized at 2025-11-25, naming a catalog tool (not a
// meta-tool). Anything else (2026-07-28 requests, task-augmented calls, meta-tools, unknown names, params
// the SDK would refuse or read more of) goes to the SDK unchanged, as do all other messages. The answer is
// the SDK's for the same outcome: the result, or a thrown error as {code, message, data} (-32603 when the
// error has no code); nothing after a cancellation (notifications/cancelled, which the SDK also sees, or the
// connection closing).
import { ProtocolErrorCode, SdkError, SdkErrorCode, type JSONRPCMessage, type Transport, type TransportSendOptions } from '@modelcontextprotocol/server';
import type { Logger } from '../log/logger.js';
import type { Session, ToolCallParams } from './upstream.js';

type Message = { jsonrpc?: string; id?: string | number; method?: string; params?: Record<string, unknown> };

/** The transport a session's Server is served on, taking the session's plain catalog tools/call itself. */
export class DirectToolCalls implements Transport {
  onmessage?: Transport['onmessage'];
  onerror?: Transport['onerror'];
  onclose?: Transport['onclose'];
  /** Direct calls in flight, by request id: a cancellation or the connection closing aborts them. */
  private readonly inFlight = new Map<string | number, AbortController>();

  constructor(
    private readonly wire: Transport,
    private readonly session: Pick<Session, 'takesDirectCall' | 'directToolCall'>,
    /** At debug level, each call taken directly is logged (stderr): how a test or a person tells the paths apart. */
    private readonly log?: Logger,
  ) {}

  get sessionId(): string | undefined {
    return this.wire.sessionId;
  }

  start(): Promise<void> {
    this.wire.onmessage = (message, extra) => {
      if (this.take(message)) return;
      this.cancelled(message);
      this.onmessage?.(message, extra);
    };
    this.wire.onerror = (error) => this.onerror?.(error);
    this.wire.onclose = () => {
      // As the SDK's Server does with its handlers when its transport closes.
      const closed = new SdkError(SdkErrorCode.ConnectionClosed, 'Connection closed');
      for (const controller of this.inFlight.values()) controller.abort(closed);
      this.inFlight.clear();
      this.onclose?.();
    };
    return this.wire.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.wire.send(message, options);
  }

  close(): Promise<void> {
    return this.wire.close();
  }

  setProtocolVersion(version: string): void {
    this.wire.setProtocolVersion?.(version);
  }

  /** A cancellation of a direct call aborts it with the client's reason (the SDK's Server does the same for its own). */
  private cancelled(message: JSONRPCMessage): void {
    const m = message as Message;
    if (m.method !== 'notifications/cancelled' || 'id' in m) return;
    const requestId = m.params?.requestId as string | number | undefined;
    if (requestId === undefined) return;
    this.inFlight.get(requestId)?.abort(m.params?.reason);
  }

  /** Runs the message as a direct call when it is one (see the header); false leaves it to the SDK. */
  private take(message: JSONRPCMessage): boolean {
    const params = directParams(message);
    if (!params) return false;
    const id = (message as Message).id!;
    // A request id still in flight is the SDK's to refuse or answer as it would.
    if (this.inFlight.has(id) || !this.session.takesDirectCall(params.name)) return false;
    if (this.log?.isDebugEnabled()) this.log.debug('tools/call taken directly', { tool: params.name, id });
    const controller = new AbortController();
    this.inFlight.set(id, controller);
    const { signal } = controller;
    const answer = (response: JSONRPCMessage) => {
      if (signal.aborted) return;
      this.wire.send(response).catch((error: unknown) => this.onerror?.(new Error(`Failed to send response: ${String(error)}`)));
    };
    Promise.resolve()
      .then(() => this.session.directToolCall(id, params, signal))
      .then(
        (result) => answer({ result, jsonrpc: '2.0', id } as JSONRPCMessage),
        (error: { code?: unknown; message?: string; data?: unknown }) => {
          // The SDK's answer to a thrown error (2025-11-25 sends -32002 as -32602).
          const thrown = Number.isSafeInteger(error?.code) ? (error.code as number) : ProtocolErrorCode.InternalError;
          const code = thrown === -32002 ? ProtocolErrorCode.InvalidParams : thrown;
          answer({ jsonrpc: '2.0', id, error: { code, message: error?.message ?? 'Internal error', ...(error?.data !== undefined ? { data: error.data } : {}) } } as JSONRPCMessage);
        },
      )
      .finally(() => {
        if (this.inFlight.get(id) === controller) this.inFlight.delete(id);
      });
    return true;
  }
}

const PARAM_KEYS = new Set(['name', 'arguments', '_meta']);

/** The params of a plain tools/call request (see the header), or undefined for anything else. */
export function directParams(message: JSONRPCMessage): ToolCallParams | undefined {
  const m = message as Message;
  if (m.method !== 'tools/call' || m.jsonrpc !== '2.0' || (typeof m.id !== 'string' && typeof m.id !== 'number')) return undefined;
  const params = m.params;
  if (!isPlainObject(params) || typeof params.name !== 'string') return undefined;
  for (const key in params) if (!PARAM_KEYS.has(key)) return undefined;
  if (params.arguments !== undefined && !isPlainObject(params.arguments)) return undefined;
  const meta = params._meta;
  if (meta !== undefined) {
    if (!isPlainObject(meta)) return undefined;
    for (const key in meta) if (key !== 'progressToken') return undefined;
    const token = meta.progressToken;
    if (token !== undefined && typeof token !== 'string' && !(typeof token === 'number' && Number.isInteger(token))) return undefined;
  }
  return params as ToolCallParams;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
