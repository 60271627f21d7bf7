// Readiness: the hub answers as soon as its servers are up, without waiting for its memory (Chroma and the
// embedding model come up in the background, and memory operations wait for them). Here Chroma is a server
// that accepts connections and never answers: the hub still lists its tools at once, says memory is starting,
// and later that it is unavailable.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, fixture, startHub, tempDir, writeConfig, type HubHandle } from './support/hub.js';

describe('startup', () => {
  let silent: net.Server;
  let port: number;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    silent = net.createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => silent.close(resolve));
  });

  it('serves before its memory is up, and says so', async () => {
    const config = writeConfig(tempDir('startup-'), {
      servers: { alpha: fixture('alpha') },
      routing: { embeddings: { provider: 'none' } },
      memory: { chroma: { url: `http://127.0.0.1:${port}`, timeoutMs: 3_000 } },
    });
    const hub: HubHandle = await startHub('stdio', config);
    try {
      expect((await hub.client.listTools()).tools.map((t) => t.name)).toContain('alpha__echo');
      const memory = async () => ((await hub.client.callTool({ name: 'hub_status', arguments: {} })).structuredContent as { memory: { state: string } }).memory.state;
      // Had the start waited for Chroma, memory would be unavailable by now (after its 3 s timeout).
      expect(await memory()).toBe('starting');
      await eventually(async () => (await memory()) === 'unavailable', 15_000, 'memory to give up on the silent Chroma');
    } finally {
      await hub.close();
    }
  });
});
