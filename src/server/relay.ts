// The hub's fast path for its hottest request. A tools/call of a catalog tool whose server is ready is
// relayed at the transport level, beneath the SDK's Protocol on both sides (the downstream half is
// src/downstream/direct-calls.ts): the Protocol's per-message machinery was about 60% of the hub's CPU
// per call, which on a loaded machine is what latency follows (bench/README.md, "Proxy overhead").
//
// It keeps what the SDK path (Catalog.callTool -> DownstreamConnection.callTool) does: the same argument
// check and tool error, the per-call timeout that restarts on progress and cancels downstream, upstream
// cancellation forwarded downstream, progress mapped through a token of ours, the same error texts
// (crash, timeout), plain-text error flagging, and the server's own requests during the call relayed to
// this client. Anything else (meta-tools, unknown tools, a server not ready, task-augmented calls,
// params the SDK would reject) goes on to the Protocol unchanged.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, JSONRPCMessage, JSONRPCRequest, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { finishToolResult, prepareArguments, toolError } from '../catalog/catalog.js';
import type { Caller, Principal } from '../access/principal.js';
import type { FinishCall } from '../observability/calls.js';
import type { DirectCall } from '../downstream/direct-calls.js';
import { interceptTransport, type Interceptor } from '../downstream/intercept.js';
import type { HubServices } from './services.js';
import { allowsTool } from '../access/policy.js';

/** What the relay needs from its session. */
export interface RelayHost {
  hub: HubServices;
  /** Who the client is: tools outside its scope go to the SDK path, which refuses them (one place says no). */
  principal: Principal;
  /** A Caller whose requests travel with this call (on its stream, over HTTP). */
  callerFor(requestId: RequestId): Caller;
  /** Marks the session active, as a call on the SDK path does. */
  touch(): void;
  /** The catalog name behind a name the client used (its short aliases, expose.clients.*.maxNameLength). */
  resolve?(name: string): string;
}

export class ToolCallRelay implements Interceptor {
  private transport?: Transport;
  /** Calls in flight on the fast path, by the client's request id. */
  private readonly calls = new Map<RequestId, { call: DirectCall; finish: FinishCall }>();

  constructor(private readonly host: RelayHost) {}

  /** Call before the Server connects to `transport`. */
  attach(transport: Transport): void {
    this.transport = transport;
    interceptTransport(transport, this);
  }

  message(message: JSONRPCMessage): boolean {
    if (!('method' in message)) return false;
    if ('id' in message) return message.method === 'tools/call' && this.call(message);
    return message.method === 'notifications/cancelled' && this.cancelled(message.params);
  }

  /** The client went away: its calls are cancelled downstream, as the Protocol aborts its handlers. */
  closed(): void {
    const calls = [...this.calls.values()];
    this.calls.clear();
    for (const { call, finish } of calls) {
      finish('cancelled');
      call.cancel('the client closed the connection');
    }
  }

  /** Returns false to leave the request to the Protocol. */
  private call(request: JSONRPCRequest): boolean {
    const params = request.params as Record<string, unknown> | undefined;
    const name = typeof params?.name === 'string' && this.host.resolve ? this.host.resolve(params.name) : params?.name;
    const args = params?.arguments as Record<string, unknown> | undefined;
    const meta = params?._meta as Record<string, unknown> | undefined;
    if (typeof name !== 'string' || params!.task !== undefined || !isRecordOrUndefined(args) || !isPlainMeta(meta)) return false;
    const id = request.id;
    const { hub } = this.host;
    // A reused id in flight is left to the Protocol, which owns such oddities.
    if (this.calls.has(id) || hub.isMetaTool(name)) return false;
    const entry = hub.catalog.getTool(name);
    const connection = entry && hub.catalog.pool.get(entry.server);
    if (!connection || connection.state !== 'ready') return false;
    if (!allowsTool(this.host.principal, name)) return false;

    this.host.touch();
    const finish = hub.track({ kind: 'tool', tool: name, server: entry.server, known: true, client: this.host.principal.name, args });
    const checked = prepareArguments(entry, args);
    if ('error' in checked) {
      finish('error', 'invalid arguments');
      this.respond(id, checked.error);
      return true;
    }
    const token = meta?.progressToken;
    const call = connection.startCall(entry.originalName, checked.args, {
      caller: this.host.callerFor(id),
      onprogress:
        token === undefined ? undefined : (progress) => this.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { ...progress, progressToken: token } }, id),
      onsettled: (outcome) => {
        this.calls.delete(id);
        const result = 'error' in outcome ? toolError(outcome.error.message) : finishToolResult(connection, outcome.result);
        this.respond(id, result);
        finish(result.isError ? 'error' : 'ok', result.isError ? ('error' in outcome ? outcome.error.message : 'the tool reported an error') : undefined);
      },
    });
    if (!call) {
      // Left to the SDK path (breaker not closed, no free slot), which tracks it there.
      finish(undefined);
      return false;
    }
    this.calls.set(id, { call, finish });
    return true;
  }

  private cancelled(params: Record<string, unknown> | undefined): boolean {
    const id = params?.requestId as RequestId | undefined;
    const entry = id === undefined ? undefined : this.calls.get(id);
    if (!entry) return false;
    this.calls.delete(id!);
    entry.finish('cancelled');
    // Cancelled calls get no answer (as on the SDK path); the server is told with the client's reason.
    entry.call.cancel(typeof params!.reason === 'string' ? params!.reason : undefined);
    return true;
  }

  private respond(id: RequestId, result: CallToolResult): void {
    this.send({ jsonrpc: '2.0', id, result }, id);
  }

  /** relatedRequestId puts progress on the call's own stream over HTTP (stdio ignores it). */
  private send(message: JSONRPCMessage, relatedRequestId: RequestId): void {
    // A client gone mid-call: nothing to do, as on the SDK path (where the Protocol only reports it to onerror).
    this.transport?.send(message, { relatedRequestId }).catch(() => undefined);
  }
}

function isRecordOrUndefined(value: unknown): boolean {
  return value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value));
}

/** _meta the fast path understands: none, or a progress token alone (related-task and other keys take the SDK path). */
function isPlainMeta(meta: Record<string, unknown> | undefined): boolean {
  if (meta === undefined) return true;
  if (typeof meta !== 'object' || meta === null) return false;
  for (const key in meta) {
    if (key !== 'progressToken') return false;
    const token = meta[key];
    if (typeof token !== 'string' && typeof token !== 'number') return false;
  }
  return true;
}
