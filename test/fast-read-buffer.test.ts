import { describe, expect, it } from 'vitest';
import { deserializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { FastReadBuffer } from '../src/downstream/fast-read-buffer.js';

const read = (...lines: string[]) => {
  const buffer = new FastReadBuffer();
  buffer.append(Buffer.from(lines.map((l) => `${l}\n`).join('')));
  return buffer;
};

describe('FastReadBuffer', () => {
  it('reads line by line, across chunks, and waits for a whole line', () => {
    const buffer = new FastReadBuffer();
    buffer.append(Buffer.from('{"jsonrpc":"2.0","method":"notifications/initialized"}\n{"jsonrpc":"2.0","id":1,"met'));
    expect(buffer.readMessage()).toEqual({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(buffer.readMessage()).toBeNull();
    buffer.append(Buffer.from('hod":"ping"}\r\n'));
    expect(buffer.readMessage()).toEqual({ jsonrpc: '2.0', id: 1, method: 'ping' });
  });

  it('passes the fast path shapes through as they are', () => {
    const call = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'a__b', arguments: { x: 1 }, _meta: { progressToken: 't1' } } };
    const answer = { jsonrpc: '2.0', id: 'hub-direct-3', result: { content: [] } };
    const failure = { jsonrpc: '2.0', id: 'hub-direct-4', error: { code: -32602, message: 'bad' } };
    const buffer = read(...[call, answer, failure].map((m) => JSON.stringify(m)));
    expect([buffer.readMessage(), buffer.readMessage(), buffer.readMessage()]).toEqual([call, answer, failure]);
  });

  it('parses every other message with the SDK schema, as the SDK does', () => {
    expect(() => read('{"jsonrpc":"2.0","id":{"no":1},"method":"ping"}').readMessage()).toThrow();
    expect(() => read('{"jsonrpc":"1.0","id":1,"method":"tools/call","params":{}}').readMessage()).toThrow();
    expect(() => read('{"jsonrpc":"2.0","id":"hub-direct-1","result":"not an object"}').readMessage()).toThrow();
    expect(() => read('not json').readMessage()).toThrow(SyntaxError);
    // Shapes that look like the fast path's but that the SDK schema refuses are refused here too.
    const odd = [
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' }, extra: 1 },
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', _meta: { progressToken: { odd: true } } } },
      { jsonrpc: '2.0', id: 'hub-direct-1', error: { code: 1.5, message: 'x' } },
    ];
    for (const m of odd) {
      expect(() => deserializeMessage(JSON.stringify(m))).toThrow();
      expect(() => read(JSON.stringify(m)).readMessage()).toThrow();
    }
  });
});
