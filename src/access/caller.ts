// Who calls and how to reach them: a Caller is the principal acting plus the way back to its client (the
// requests a downstream server makes during a call, log lines); a CallContext is one call's caller,
// cancellation and progress. Every path that calls a tool carries one (src/access/policy.ts refuses a call
// without). The hub's server layer makes them per client request (2025 sessions and 2026 requests alike),
// runs make detached ones.
import type { ClientCapabilities, LoggingMessageNotification, Progress } from '@modelcontextprotocol/client';
import type { Principal } from './principal.js';

/** The upstream side of a call: who acts, and where a downstream server's own requests are relayed. */
export interface Caller {
  /** Who acts; checked on every path a tool can be reached by. */
  principal: Principal;
  /** The client session the call came from (absent for scheduled runs): server-initiated requests go only there. */
  session?: object;
  capabilities(): ClientCapabilities | undefined;
  /**
   * A request to the client (elicitation, sampling, roots); `resultSchema` validates the answer. A 2026-07-28
   * client is asked in an input_required round, under `inputKey` when given (the key a server asked under).
   */
  sendRequest<T>(request: { method: string; params?: Record<string, unknown> }, resultSchema?: unknown, options?: { inputKey?: string }): Promise<T>;
  /** Delivers a downstream server's log message to this client. */
  sendLog?(params: LoggingMessageNotification['params']): void;
  /** The least severe log level this client wants from the servers its calls reach; undefined for none. */
  logLevel?(): string | undefined;
}

/** A caller with no client behind it (scheduled runs, the CLI without a terminal): it can answer no request. */
export function detachedCaller(principal: Principal): Caller {
  return {
    principal,
    capabilities: () => undefined,
    sendRequest: async (request) => {
      throw new Error(`${request.method}: no client is attached to this run (it acts as "${principal.name}")`);
    },
  };
}

export interface CallContext {
  signal?: AbortSignal;
  onprogress?: (progress: Progress) => void;
  /** Who calls. A call without one is refused (src/access/policy.ts). */
  caller?: Caller;
}
