// Lets the hub's tools/call fast path see a transport's messages before the SDK's Protocol does, and
// take the ones it handles itself: the Protocol's per-message work (request bookkeeping, promise chains,
// AbortControllers, schema parses) is most of what a relayed call costs (bench/README.md).
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export interface Interceptor {
  /** Sees every incoming message first; returns true when it has handled it (the Protocol never sees it). */
  message(message: JSONRPCMessage): boolean;
  /** The transport closed; called after the Protocol has handled the close. */
  closed(): void;
}

/**
 * Puts `interceptor` in front of the handlers the Protocol installs on `transport`. Call it before
 * connect(): the Protocol installs its handlers in connect() and then calls start(), so wrapping them
 * in start() catches every message without depending on when the first one arrives.
 */
export function interceptTransport(transport: Transport, interceptor: Interceptor): void {
  const start = transport.start.bind(transport);
  transport.start = () => {
    const onmessage = transport.onmessage;
    const onclose = transport.onclose;
    transport.onmessage = (message, extra) => {
      if (!interceptor.message(message)) onmessage?.(message, extra);
    };
    transport.onclose = () => {
      onclose?.();
      interceptor.closed();
    };
    return start();
  };
}
