// servers.<name>.prefix over real processes: the default prefix (the server's name), a word of one's own,
// and none at all (the server's own names and resource URIs), with a clash between unprefixed servers
// refused and named; scopes over resources follow the prefix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, hubStatus, startHub, tempDir, text, writeConfig, type HubHandle } from './support/hub.js';
import { loadConfigFile } from '../src/config/load.js';
import { connectAs, startHttpHub, type HttpHub } from './support/tokens.js';

const servers = {
  alpha: fixture('alpha', { tools: { include: ['echo', 'add'] } }),
  beta: fixture('beta', { prefix: 'b', tools: { include: ['echo'] } }),
  gamma: fixture('gamma', { prefix: false, tools: { include: ['echo', 'add'] } }),
  // Unprefixed as well: its echo clashes with gamma's and is left out, its pid is its own.
  delta: fixture('delta', { prefix: false, tools: { include: ['echo', 'pid'] } }),
};

describe('server prefixes', () => {
  let hub: HubHandle;

  beforeAll(async () => {
    hub = await startHub('stdio', writeConfig(tempDir(), { servers }));
  });
  afterAll(async () => hub?.close());

  it('lists tools under the server name, a custom prefix, or their own names', async () => {
    const names = (await hub.client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['alpha__echo', 'alpha__add', 'b__echo', 'echo', 'add', 'pid']));
    expect(names.some((n) => n.startsWith('beta__') || n.startsWith('gamma__') || n.startsWith('delta__'))).toBe(false);
    expect(names.filter((n) => n === 'echo')).toHaveLength(1);
  });

  it('routes each name to its own server', async () => {
    expect(text(await hub.client.callTool({ name: 'b__echo', arguments: { message: 'hi' } }))).toContain('beta');
    // gamma is first in the config: its echo keeps the name; delta's is left out.
    expect(text(await hub.client.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toContain('gamma');
    expect(text(await hub.client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }))).toBe('5');
    expect(Number(text(await hub.client.callTool({ name: 'pid', arguments: {} })))).toBeGreaterThan(0);
  });

  it('reports a clash between unprefixed servers, naming both and what to set', async () => {
    const delta = (await hubStatus(hub.client)).servers.find((s) => s.name === 'delta')!;
    expect(delta.state).toBe('ready');
    expect(delta.error).toMatch(/tool "echo" of server "delta" clashes with server "gamma".*servers\.delta\.prefix/);
  });

  it('keeps resource URIs and prompt names under the prefix, or as the server has them', async () => {
    const uris = (await hub.client.listResources()).resources.map((r) => r.uri);
    expect(uris).toEqual(expect.arrayContaining(['hub://alpha/fixture://readme', 'hub://b/fixture://readme', 'fixture://readme']));
    const read = await hub.client.readResource({ uri: 'fixture://items/7' });
    expect(read.contents[0]!.uri).toBe('fixture://items/7');
    expect((await hub.client.readResource({ uri: 'hub://b/fixture://readme' })).contents[0]!.uri).toBe('hub://b/fixture://readme');
    const prompts = (await hub.client.listPrompts()).prompts.map((p) => p.name);
    expect(prompts).toEqual(expect.arrayContaining(['alpha__greet', 'b__greet', 'greet']));
  });
});

describe('server prefixes in the config', () => {
  it('refuses two servers under one prefix, naming both', async () => {
    const file = writeConfig(tempDir(), { servers: { alpha: fixture('alpha'), beta: fixture('beta', { prefix: 'alpha' }) } });
    expect(() => loadConfigFile(file)).toThrow(/servers\.beta\.prefix.*"alpha".*server "alpha"/s);
  });
});

describe('prefixes and token scopes', () => {
  let hub: HttpHub;

  beforeAll(async () => {
    hub = await startHttpHub(
      writeConfig(tempDir(), {
        servers,
        http: {
        auth: {
          tokens: [
            { name: 'b-only', token: 'tok-b-only-123456', tools: ['b__*'] },
            { name: 'plain-echo', token: 'tok-plain-echo-123456', tools: ['echo'] },
          ],
          },
        },
      }),
    );
  });
  afterAll(async () => void (await hub?.stop()));

  it('shows the resources of the servers a token has whole, by their prefix', async () => {
    const b = await connectAs(hub.url, 'tok-b-only-123456');
    try {
      expect((await b.client.listResources()).resources.map((r) => r.uri)).toEqual(['hub://b/fixture://readme']);
      expect((await b.client.listTools()).tools.map((t) => t.name)).toContain('b__echo');
    } finally {
      await b.close();
    }
    // A server without a prefix has no glob of its own: its resources need every tool (`*`).
    const plain = await connectAs(hub.url, 'tok-plain-echo-123456');
    try {
      expect((await plain.client.listResources()).resources).toEqual([]);
      await expect(plain.client.readResource({ uri: 'fixture://readme' })).rejects.toThrow(/not available/);
      expect(text(await plain.client.callTool({ name: 'echo', arguments: { message: 'x' } }))).toContain('gamma');
    } finally {
      await plain.close();
    }
  });
});
