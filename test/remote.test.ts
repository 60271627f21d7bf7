// Remote downstream servers: Streamable HTTP, and legacy SSE reached by falling back when `transport`
// is not given. The published reference server (server-everything) serves both.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, hubStatus, startHub, tempDir, text, writeConfig, type HubHandle } from './support/hub.js';

const EVERYTHING = path.join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

async function startEverything(mode: 'sse' | 'streamableHttp'): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [EVERYTHING, mode], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes(`port ${port}`)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server-everything ${mode} exited ${code}: ${err}`)));
  });
  return { child, port };
}

describe('remote downstream servers', () => {
  let hub: HubHandle;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    const sse = await startEverything('sse');
    const http = await startEverything('streamableHttp');
    children.push(sse.child, http.child);
    const config = writeConfig(tempDir(), {
      servers: {
        legacy: { url: `http://127.0.0.1:${sse.port}/sse` },
        modern: { url: `http://127.0.0.1:${http.port}/mcp`, headers: { 'X-Trace': 'hub-test' } },
        pinned: { url: `http://127.0.0.1:${sse.port}/sse`, transport: 'sse' },
      },
      routing: { embeddings: { provider: 'none' } },
    });
    hub = await startHub('stdio', config);
  });

  afterAll(async () => {
    await hub?.close();
    for (const c of children) c.kill();
  });

  it('connects over Streamable HTTP, and over SSE by fallback or when pinned', async () => {
    const status = await hubStatus(hub.client);
    const byName = Object.fromEntries(status.servers.map((s) => [s.name, s as { state: string; transport?: string }]));
    expect(byName.modern).toMatchObject({ state: 'ready', transport: 'http' });
    expect(byName.legacy).toMatchObject({ state: 'ready', transport: 'sse' });
    expect(byName.pinned).toMatchObject({ state: 'ready', transport: 'sse' });
  });

  it('routes calls to each remote server', async () => {
    for (const server of ['modern', 'legacy', 'pinned']) {
      const result = await hub.client.callTool({ name: `${server}__echo`, arguments: { message: `via ${server}` } });
      expect(text(result)).toContain(`via ${server}`);
    }
  });
});
