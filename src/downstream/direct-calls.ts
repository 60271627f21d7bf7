// tools/call sent straight on a downstream server's transport, beneath the SDK Client's Protocol: the
// downstream half of the hub's fast path (src/server/relay.ts). It sits in front of the Client as an
// Interceptor and takes only what is its own: responses to its requests and progress for its tokens.
// Everything else (the server's own requests, logging, list_changed, the Client's requests) goes on to
// the Client as before.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Interceptor } from './intercept.js';

export type DirectOutcome = { result: Record<string, unknown> } | { error: Error };

export interface DirectCallOptions {
  /** Progress reports, their params without our token; each one restarts the call's timeout. */
  onprogress?: (progress: Record<string, unknown>) => void;
  /** Called once, later than call() returns, unless the call is cancelled first. */
  onsettled: (outcome: DirectOutcome) => void;
}

export interface DirectCall {
  /** Abandons the call and tells the server (notifications/cancelled); onsettled is not called. */
  cancel(reason?: string): void;
}

// Our request ids, which double as progress tokens. The Client's Protocol issues numeric ids and looks
// responses up by Number(id): a non-numeric string can never be mistaken for one of its requests.
export const ID_PREFIX = 'hub-direct-';

interface Pending {
  timer: NodeJS.Timeout;
  options: DirectCallOptions;
}

export class DirectCalls implements Interceptor {
  private seq = 0;
  private readonly pending = new Map<string, Pending>();
  private isClosed = false;

  constructor(
    private readonly transport: Transport,
    private readonly timeoutMs: number,
  ) {}

  call(name: string, args: Record<string, unknown> | undefined, options: DirectCallOptions): DirectCall {
    const id = ID_PREFIX + ++this.seq;
    // The timeout is per call and restarts on progress, as on the SDK path; refresh() re-arms it cheaply.
    this.pending.set(id, { timer: setTimeout(() => this.timedOut(id), this.timeoutMs), options });
    if (this.isClosed) {
      queueMicrotask(() => this.settle(id, { error: new McpError(ErrorCode.ConnectionClosed, 'Connection closed') }));
    } else {
      const params = { name, arguments: args ?? {}, ...(options.onprogress ? { _meta: { progressToken: id } } : {}) };
      this.transport.send({ jsonrpc: '2.0', id, method: 'tools/call', params }).catch((err: Error) => this.settle(id, { error: err }));
    }
    return { cancel: (reason) => this.cancel(id, reason) };
  }

  message(message: JSONRPCMessage): boolean {
    if ('method' in message) {
      if (message.method !== 'notifications/progress' || 'id' in message) return false;
      const { progressToken, ...progress } = (message.params ?? {}) as Record<string, unknown>;
      if (typeof progressToken !== 'string' || !progressToken.startsWith(ID_PREFIX)) return false;
      const pending = this.pending.get(progressToken);
      if (pending?.options.onprogress) {
        pending.timer.refresh();
        pending.options.onprogress(progress);
      }
      return true; // late progress for a finished call is dropped here, as the SDK path drops it
    }
    const id = (message as { id?: unknown }).id;
    if (typeof id !== 'string' || !id.startsWith(ID_PREFIX)) return false;
    if ('error' in message) {
      // The same error the Client's Protocol makes of an error response.
      this.settle(id, { error: McpError.fromError(message.error.code, message.error.message, message.error.data) });
    } else if ('result' in message) {
      this.settle(id, { result: message.result as Record<string, unknown> });
    }
    return true; // a late answer to a cancelled or timed-out call is ours too: dropped
  }

  /** Every call still waiting fails as the SDK path's does when the server goes away. */
  closed(): void {
    this.isClosed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, { error: new McpError(ErrorCode.ConnectionClosed, 'Connection closed') });
  }

  private timedOut(id: string): void {
    if (!this.pending.has(id)) return;
    this.notifyCancelled(id, `timed out after ${this.timeoutMs} ms`);
    this.settle(id, { error: new McpError(ErrorCode.RequestTimeout, 'Request timed out') });
  }

  private cancel(id: string, reason?: string): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    this.notifyCancelled(id, reason);
  }

  private notifyCancelled(id: string, reason?: string): void {
    if (this.isClosed) return;
    const params = reason === undefined ? { requestId: id } : { requestId: id, reason };
    this.transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params }).catch(() => undefined);
  }

  private settle(id: string, outcome: DirectOutcome): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.options.onsettled(outcome);
  }
}
