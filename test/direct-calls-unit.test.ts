// The direct tools/call transport (src/server/direct-calls.ts) in process: which messages it takes, and that
// its answers to a failed or cancelled call are the SDK Server's own. The SDK side is a real Server on an
// in-memory transport whose tools/call handler fails the same way; test/direct-calls.test.ts covers the
// pipeline over real processes.
import { describe, expect, it } from 'vitest';
import { InMemoryTransport, ProtocolError, SdkError, SdkErrorCode, Server, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/server';
import { DirectToolCalls, directParams } from '../src/server/direct-calls.js';
import type { ToolCallParams } from '../src/server/upstream.js';

const call = (params: unknown, id: string | number = 7) => ({ jsonrpc: '2.0', id, method: 'tools/call', params }) as unknown as JSONRPCMessage;

/** A wire that records what is sent on it and lets the test deliver messages. */
class Wire implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];
  sent: JSONRPCMessage[] = [];
  async start(): Promise<void> {}
  async send(message: JSONRPCMessage): Promise<void> {
    this.sent.push(message);
  }
  async close(): Promise<void> {
    this.onclose?.();
  }
}

/** A session stub whose direct calls run `run`; records the signal each call got. */
function session(run: (params: ToolCallParams, signal: AbortSignal) => Promise<unknown>, takes = true) {
  const signals: AbortSignal[] = [];
  return {
    signals,
    takesDirectCall: () => takes,
    directToolCall: (_id: string | number, params: ToolCallParams, signal: AbortSignal) => {
      signals.push(signal);
      return run(params, signal) as never;
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

/** What the SDK's Server answers to a 2025-11-25 tools/call whose handler throws `error`. */
async function sdkAnswer(error: unknown): Promise<JSONRPCMessage> {
  const server = new Server({ name: 's', version: '1' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/call', async () => {
    throw error;
  });
  const [client, serverSide] = InMemoryTransport.createLinkedPair();
  const received: JSONRPCMessage[] = [];
  client.onmessage = (m) => void received.push(m);
  await server.connect(serverSide);
  await client.start();
  await client.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } } } as JSONRPCMessage);
  await client.send({ jsonrpc: '2.0', method: 'notifications/initialized' } as JSONRPCMessage);
  await client.send(call({ name: 't', arguments: {} }));
  await settle();
  await server.close();
  return received.find((m) => 'id' in m && m.id === 7)!;
}

async function directAnswer(error: unknown): Promise<JSONRPCMessage | undefined> {
  const wire = new Wire();
  const transport = new DirectToolCalls(wire, session(() => Promise.reject(error)));
  await transport.start();
  wire.onmessage!(call({ name: 't', arguments: {} }));
  await settle();
  return wire.sent[0];
}

describe('direct tools/call: what it takes', () => {
  it('takes plain calls only', () => {
    expect(directParams(call({ name: 'a__b' }))).toEqual({ name: 'a__b' });
    expect(directParams(call({ name: 'a__b', arguments: { x: 1 }, _meta: { progressToken: 'p' } }))).toBeDefined();
    expect(directParams(call({ name: 'a__b', _meta: { progressToken: 3 } }))).toBeDefined();
    for (const params of [
      undefined,
      { name: 5 },
      { name: 'a__b', arguments: 'x' },
      { name: 'a__b', arguments: [1] },
      { name: 'a__b', task: { ttl: 1000 } },
      { name: 'a__b', _meta: { progressToken: 'p', 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } },
      { name: 'a__b', _meta: { progressToken: 1.5 } },
      { name: 'a__b', extra: true },
    ]) {
      expect(directParams(call(params)), JSON.stringify(params)).toBeUndefined();
    }
    expect(directParams({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'a' } } as JSONRPCMessage)).toBeUndefined();
    expect(directParams({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} } as JSONRPCMessage)).toBeUndefined();
  });

  it('passes what it does not take to the SDK unchanged, and the session decides the rest', async () => {
    const wire = new Wire();
    const refused = session(async () => ({ content: [] }), false);
    const transport = new DirectToolCalls(wire, refused);
    const passed: JSONRPCMessage[] = [];
    transport.onmessage = (m) => void passed.push(m);
    await transport.start();
    const messages = [call({ name: 'a__b' }), call({ name: 'a__b', task: {} }, 8), { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 3 } } as JSONRPCMessage];
    for (const m of messages) wire.onmessage!(m);
    expect(passed).toEqual(messages);
    expect(refused.signals).toHaveLength(0);
  });
});

describe("direct tools/call: answers are the SDK Server's", () => {
  it('answers a result as a JSON-RPC result', async () => {
    const wire = new Wire();
    const transport = new DirectToolCalls(wire, session(async () => ({ content: [{ type: 'text', text: 'hi' }] })));
    await transport.start();
    wire.onmessage!(call({ name: 'a__b' }, 'req-1'));
    await settle();
    expect(wire.sent).toEqual([{ jsonrpc: '2.0', id: 'req-1', result: { content: [{ type: 'text', text: 'hi' }] } }]);
  });

  it.each([
    ['a ProtocolError with data', new ProtocolError(-32042, 'needs a url', { url: 'https://example.com' })],
    ['a ProtocolError', new ProtocolError(-32602, 'bad')],
    ['-32002 (sent as -32602 to 2025-11-25)', new ProtocolError(-32002, 'not found')],
    ['a plain Error', new Error('boom')],
    ['an SdkError', new SdkError(SdkErrorCode.RequestTimeout, 'late')],
  ])('answers a thrown error as the SDK does: %s', async (_what, error) => {
    expect(await directAnswer(error)).toEqual(await sdkAnswer(error));
  });

  it('answers nothing to a call the client cancelled, and aborts it with the client\u2019s reason', async () => {
    const wire = new Wire();
    const stub = session((_p, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ content: [] }))));
    const transport = new DirectToolCalls(wire, stub);
    const passed: JSONRPCMessage[] = [];
    transport.onmessage = (m) => void passed.push(m);
    await transport.start();
    wire.onmessage!(call({ name: 'a__b' }, 9));
    const cancel = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 9, reason: 'user gave up' } } as JSONRPCMessage;
    wire.onmessage!(cancel);
    await settle();
    expect(stub.signals[0].aborted).toBe(true);
    expect(stub.signals[0].reason).toBe('user gave up');
    expect(wire.sent).toEqual([]);
    // The SDK sees the notification too (it has no request of that id: nothing happens there).
    expect(passed).toEqual([cancel]);
  });

  it('aborts the calls in flight when the connection closes, as the SDK does', async () => {
    const wire = new Wire();
    const stub = session((_p, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ content: [] }))));
    const transport = new DirectToolCalls(wire, stub);
    let closed = false;
    transport.onclose = () => (closed = true);
    await transport.start();
    wire.onmessage!(call({ name: 'a__b' }, 10));
    await transport.close();
    await settle();
    expect(closed).toBe(true);
    expect(stub.signals[0].reason).toMatchObject({ code: SdkErrorCode.ConnectionClosed });
    expect(wire.sent).toEqual([]);
  });
});
