// What a downstream server asks of the hub's side outside its answers: sampling, elicitation and roots
// requests, and log lines. Each goes only to the client whose call caused it, or is refused: never to
// another client, which could read (and answer) a question meant for someone else. Neither stdio nor the
// SDK tells which call a server's request relates to, so the tie is "the one caller with calls in flight".
import { MissingRequiredClientCapabilityError, ProtocolError, ProtocolErrorCode, type Client, type ClientCapabilities } from '@modelcontextprotocol/client';
import type { Caller } from '../access/caller.js';

const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** The capabilities the hub's downstream clients declare: what it can relay to an upstream client. */
export const RELAYED_CAPABILITIES = { sampling: {}, elicitation: {}, roots: { listChanged: true } } satisfies ClientCapabilities;

/** Callers with calls in flight on one server, with how many each (a run's parallel steps share one caller). */
export class CallersInFlight {
  private readonly inFlight = new Map<Caller, number>();

  enter(caller: Caller | undefined): void {
    if (caller) this.inFlight.set(caller, (this.inFlight.get(caller) ?? 0) + 1);
  }

  leave(caller: Caller | undefined): void {
    if (!caller) return;
    const left = (this.inFlight.get(caller) ?? 1) - 1;
    if (left > 0) this.inFlight.set(caller, left);
    else this.inFlight.delete(caller);
  }

  /**
   * The caller that a message the server sends now belongs to: the one client session (or detached run)
   * with calls in flight here. Undefined with none; 'ambiguous' with calls of several.
   */
  bound(): Caller | undefined | 'ambiguous' {
    let found: Caller | undefined;
    for (const caller of this.inFlight.keys()) {
      if (found && (found.session ?? found) !== (caller.session ?? caller)) return 'ambiguous';
      found = caller;
    }
    return found;
  }
}

/**
 * What the caller's client declared, as far as the hub can relay it: sent with each request to a
 * 2026-07-28 server (whose requests carry the client's capabilities), so the server asks only for what
 * the client behind the hub can answer.
 */
export function relayableCapabilities(caller: Caller | undefined): ClientCapabilities {
  const declared = caller?.capabilities() ?? {};
  const relayed = Object.fromEntries(Object.keys(RELAYED_CAPABILITIES).filter((k) => k in declared).map((k) => [k, declared[k as keyof ClientCapabilities]]));
  // Tasks the hub takes for any caller: it hands them on, or follows them to their result (./tasks.ts).
  return { ...relayed, extensions: { [TASKS_EXTENSION]: {} } } as ClientCapabilities;
}

const CAPABILITY_OF: Record<string, keyof typeof RELAYED_CAPABILITIES> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/**
 * Asks `caller` what a server asked: as a request to a 2025-11-25 client, as an input_required round to a
 * 2026-07-28 one (the caller knows which). roots/list without a caller able to answer gets no roots;
 * anything else is refused, saying why.
 */
export async function askCaller(caller: Caller | undefined | 'ambiguous', request: { method: string; params?: Record<string, unknown> }, inputKey?: string): Promise<unknown> {
  const { method } = request;
  const capability = CAPABILITY_OF[method];
  const refuse = (why: string) => {
    if (method === 'roots/list') return { roots: [] };
    throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `${method}: ${why}; refused`);
  };
  if (!capability) return refuse('the hub relays only sampling, elicitation and roots requests');
  if (caller === 'ambiguous') return refuse('calls of several clients are in flight on this server, so the request cannot be tied to the call that caused it');
  if (!caller) return refuse('no call of a client is in flight on this server to relay this request to');
  if (!caller.capabilities()?.[capability]) {
    if (method === 'roots/list') return { roots: [] };
    throw new MissingRequiredClientCapabilityError({ requiredCapabilities: { [capability]: {} } }, `${method}: the connected client does not support ${capability}`);
  }
  return caller.sendRequest({ method, params: request.params }, undefined, { inputKey });
}

/** Answers a 2025-11-25 server's own requests by relaying them to the caller they belong to. */
export function relayServerRequests(client: Client, callers: CallersInFlight, fallbackCaller?: () => Caller | undefined): void {
  const relay = (method: string) => async (request: { params?: Record<string, unknown> }) => {
    const bound = callers.bound();
    return askCaller(bound === undefined && method === 'roots/list' ? fallbackCaller?.() : bound, { method, params: request.params });
  };
  for (const method of Object.keys(CAPABILITY_OF)) client.setRequestHandler(method as 'roots/list', relay(method) as never);
}
