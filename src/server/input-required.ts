// A 2026-07-28 client cannot be asked anything in the middle of a request: a server that needs an answer
// returns `input_required` with what it needs, and the client calls again with the answers. The hub's own
// work (a downstream server asking for elicitation, sampling or roots during a call; orchestrate asking
// for consent) asks its caller in the middle, as 2025-11-25 allows. This broker bridges the two: the work
// keeps running, each question it asks parks it and becomes an `input_required` round, and the client's
// retry (carrying the answers and the round's requestState) resumes it where it waits.
//
// requestState is HMAC-protected with a key of this process (a forged or edited one is refused with
// -32602), names the parked work and its round, and works only for the principal that started it.
import { randomBytes, randomUUID } from 'node:crypto';
import { ProtocolError, ProtocolErrorCode, createRequestStateCodec, type InputRequiredResult, type ServerContext } from '@modelcontextprotocol/server';

interface Question {
  method: string;
  params?: Record<string, unknown>;
  resolve(answer: unknown): void;
  reject(error: Error): void;
}

interface Parked {
  id: string;
  owner: string;
  round: number;
  /** Questions asked and not answered yet, by input key. */
  questions: Map<string, Question>;
  /** Wakes the request waiting on this work: a question was asked. */
  wake?: () => void;
  done: Promise<{ result: unknown } | { error: unknown }>;
  /** Ends the work (the client never came back). */
  abort: AbortController;
  expiry: NodeJS.Timeout;
}

type State = { id: string; round: number };

/** Asks the client a question (an elicitation, sampling or roots request), under `key` when given. */
export type Ask = (request: { method: string; params?: Record<string, unknown> }, key?: string) => Promise<unknown>;

/** How long parked work waits for the client's retry. */
const PARK_MS = 10 * 60_000;
/** Questions asked together (a server asking for several inputs at once) go out in one round. */
const GATHER_MS = 20;

export class InputBroker {
  private readonly codec = createRequestStateCodec<State>({ key: randomBytes(32), ttlSeconds: PARK_MS / 1000 });
  private readonly parked = new Map<string, Parked>();
  private seq = 0;

  /** For the Server's `requestState.verify` option: decodes (and checks) a retry's requestState. */
  readonly verify = this.codec.verify;

  /**
   * Runs `work` for a 2026-07-28 request, or resumes the work this retry's requestState names. `work` gets an
   * `ask` that parks it until the client answers, and a signal that ends it when the client never does.
   */
  async run<T>(ctx: ServerContext, owner: string, work: (ask: Ask, signal: AbortSignal) => Promise<T>): Promise<T | InputRequiredResult> {
    const state = ctx.mcpReq.requestState<State>();
    let parked: Parked;
    if (state) {
      const found = this.parked.get(state.id);
      if (!found || found.owner !== owner || found.round !== state.round) {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'requestState names no waiting request of yours (it was answered already, expired or is another round); send the request again without it');
      }
      parked = found;
      this.answer(parked, (ctx.mcpReq.inputResponses ?? {}) as Record<string, unknown>);
    } else {
      parked = this.start(owner, work);
    }
    return this.next(parked) as Promise<T | InputRequiredResult>;
  }

  private start<T>(owner: string, work: (ask: Ask, signal: AbortSignal) => Promise<T>): Parked {
    const abort = new AbortController();
    const parked: Parked = {
      id: randomUUID(),
      owner,
      round: 0,
      questions: new Map(),
      abort,
      done: undefined as never,
      expiry: setTimeout(() => this.drop(parked, 'the client did not answer in time'), PARK_MS),
    };
    parked.expiry.unref();
    const ask: Ask = (request, key) =>
      new Promise<unknown>((resolve, reject) => {
        // Under the key the asking server used, when it is free: the client sees the server's own names.
        const free = key !== undefined && !parked.questions.has(key) ? key : `input-${++this.seq}`;
        parked.questions.set(free, { ...request, resolve, reject });
        parked.wake?.();
      });
    parked.done = Promise.resolve()
      .then(() => work(ask, abort.signal))
      .then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
    this.parked.set(parked.id, parked);
    return parked;
  }

  /** Answers the questions the client answered; one it left out is asked again in the next round. */
  private answer(parked: Parked, responses: Record<string, unknown>): void {
    for (const [key, question] of parked.questions) {
      if (!(key in responses)) continue;
      parked.questions.delete(key);
      question.resolve(responses[key]);
    }
  }

  /** The work's result, or the next round of questions when it asks before it finishes. */
  private async next(parked: Parked): Promise<unknown> {
    const asked = new Promise<'asked'>((resolve) => {
      parked.wake = () => resolve('asked');
      if (parked.questions.size) resolve('asked');
    });
    const outcome = await Promise.race([parked.done, asked]);
    parked.wake = undefined;
    if (outcome !== 'asked') {
      this.forget(parked);
      if ('error' in outcome) throw outcome.error;
      return outcome.result;
    }
    await new Promise((r) => setTimeout(r, GATHER_MS));
    parked.round++;
    const inputRequests = Object.fromEntries([...parked.questions].map(([key, q]) => [key, { method: q.method, ...(q.params ? { params: q.params } : {}) }]));
    return { resultType: 'input_required', inputRequests, requestState: await this.codec.mint({ id: parked.id, round: parked.round }) } as unknown as InputRequiredResult;
  }

  private drop(parked: Parked, why: string): void {
    for (const question of parked.questions.values()) question.reject(new Error(`${question.method}: ${why}`));
    parked.abort.abort(why);
    this.forget(parked);
  }

  private forget(parked: Parked): void {
    clearTimeout(parked.expiry);
    this.parked.delete(parked.id);
  }

  close(): void {
    for (const parked of [...this.parked.values()]) this.drop(parked, 'the hub is stopping');
  }
}
