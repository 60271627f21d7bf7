// Search-first exposure through the hub: a client that sees only the meta-tools finds, describes
// and calls a downstream tool; the index follows servers joining and leaving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, hubStatus, startHub, tempDir, text, writeConfig, type HubHandle } from './support/hub.js';

const META = ['call_tool', 'describe_tool', 'hub_status', 'search_tools'];

describe('search-first exposure', () => {
  let hub: HubHandle;
  beforeAll(async () => {
    const config = writeConfig(tempDir(), {
      servers: { maths: fixture('maths', { description: 'Arithmetic helpers' }), chat: fixture('chat', { tools: { include: ['echo'] } }) },
      expose: { mode: 'auto', maxTools: 5 },
    });
    hub = await startHub('stdio', config);
  });
  afterAll(async () => hub?.close());

  it('lists only the meta-tools once the catalog outgrows expose.maxTools', async () => {
    const names = (await hub.client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(expect.arrayContaining(META));
    expect(names.filter((n) => n.includes('__'))).toEqual([]);
    const status = await hubStatus(hub.client);
    expect(status).toMatchObject({ expose: { mode: 'auto', listing: 'search' } });
    expect(hub.client.getInstructions()).toContain('use search_tools');
  });

  it('search_tools returns ranked namespaced tools with the documented shape', async () => {
    const result = await hub.client.callTool({ name: 'search_tools', arguments: { query: 'add two numbers', limit: 3 } });
    const tools = (result.structuredContent as { tools: Array<{ name: string; server: string; description: string; score: number }> }).tools;
    expect(tools.length).toBeGreaterThan(0);
    expect(tools.length).toBeLessThanOrEqual(3);
    expect(tools[0]).toEqual({ name: 'maths__add', server: 'maths', description: 'Adds two numbers.', score: expect.any(Number) });
    expect(text(result)).toContain('1. maths__add');
  });

  it('describe_tool gives the full schema, and call_tool runs the tool', async () => {
    const described = await hub.client.callTool({ name: 'describe_tool', arguments: { name: 'maths__add' } });
    expect(described.structuredContent).toMatchObject({ name: 'maths__add', server: 'maths', inputSchema: { required: ['a', 'b'] }, annotations: { readOnlyHint: true } });
    const missing = await hub.client.callTool({ name: 'describe_tool', arguments: { name: 'maths__addd' } });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain('maths__add');
    const called = await hub.client.callTool({ name: 'call_tool', arguments: { name: 'maths__add', arguments: { a: 20, b: 22 } } });
    expect(called.structuredContent).toEqual({ sum: 42 });
  });

  it('indexes tools that appear at run time', async () => {
    const before = await hub.client.callTool({ name: 'search_tools', arguments: { query: 'reconcile ledger' } });
    expect((before.structuredContent as { tools: Array<{ name: string }> }).tools.map((t) => t.name)).not.toContain('maths__reconcile_ledger');
    await hub.client.callTool({ name: 'call_tool', arguments: { name: 'maths__add_tool', arguments: { name: 'reconcile_ledger' } } });
    const found = async () => (((await hub.client.callTool({ name: 'search_tools', arguments: { query: 'reconcile ledger' } })).structuredContent as { tools: Array<{ name: string }> }).tools[0]?.name);
    let top: string | undefined;
    for (let i = 0; i < 50 && top !== 'maths__reconcile_ledger'; i++) {
      top = await found();
      if (top !== 'maths__reconcile_ledger') await new Promise((r) => setTimeout(r, 50));
    }
    expect(top).toBe('maths__reconcile_ledger');
  });

  it('rejects bad meta-tool arguments with the field named', async () => {
    const result = await hub.client.callTool({ name: 'search_tools', arguments: { query: '', limit: 500 } });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/`query`.*`limit`/s);
  });
});

describe('expose modes', () => {
  it('all lists every tool; search lists only the meta-tools', async () => {
    for (const [mode, expectAll] of [['all', true], ['search', false]] as const) {
      const hub = await startHub('stdio', writeConfig(tempDir(), { servers: { maths: fixture('maths') }, expose: { mode, maxTools: 1 }, routing: { embeddings: { provider: 'none' } } }));
      try {
        const names = (await hub.client.listTools()).tools.map((t) => t.name);
        expect(names.includes('maths__add')).toBe(expectAll);
        expect(names).toEqual(expect.arrayContaining(META));
      } finally {
        await hub.close();
      }
    }
  });
});

describe('pinned tools', () => {
  it('lists the tools expose.pin names beside the meta-tools, whatever the mode', async () => {
    const config = writeConfig(tempDir(), {
      servers: { maths: fixture('maths'), chat: fixture('chat', { tools: { include: ['echo'] } }) },
      expose: { mode: 'search', pin: ['maths__add', 'chat__*'] },
    });
    const pinned = await startHub('stdio', config);
    try {
      const names = (await pinned.client.listTools()).tools.map((t) => t.name);
      expect(names.filter((n) => n.includes('__')).sort()).toEqual(['chat__echo', 'maths__add']);
      expect(names).toEqual(expect.arrayContaining(META));
      const called = await pinned.client.callTool({ name: 'maths__add', arguments: { a: 1, b: 2 } });
      expect(called.structuredContent).toEqual({ sum: 3 });
    } finally {
      await pinned.close();
    }
  });
});
