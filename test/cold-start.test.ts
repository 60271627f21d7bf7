// Cold start: the hub serves before its embedding model has loaded. Search answers lexically (BM25) while
// the model loads and ranks with it once it is there, which hub_status says. The model here is a tiny one
// the test writes, and its load is held from outside the hub: a preload (test/fixtures/hold-import.ts)
// keeps the import of transformers.js waiting until the test lets it go, as a slow disk would.
// Memory, too, waits for the model without holding up a stop.
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryConfigSchema } from '../src/config/memory.js';
import { Memory } from '../src/memory/index.js';
import { DeferredEmbedder, type Embedder } from '../src/routing/embedder.js';
import { eventually, fixture, ROOT, startHub, tempDir, writeConfig } from './support/hub.js';
import { writeTinyModel } from './fixtures/tiny-model.js';

const HOLD = pathToFileURL(path.join(ROOT, 'dist/test/fixtures/hold-import.js')).href;

// Words of one concept embed alike; "parrot" and "mimic" appear in no tool text, so only the model links them to echo.
const CONCEPTS = {
  echo: ['echoes', 'message', 'parrot', 'mimic'],
  arithmetic: ['adds', 'two', 'numbers'],
};

interface Routing {
  dense: string;
  model?: string;
  embedded?: number;
  source?: { kind: string; path?: string };
}

describe('cold start', () => {
  it('answers tools/list and search_tools (lexically) while the model loads, then ranks with it and reports it', async () => {
    const dir = tempDir('cold-start-');
    const model = writeTinyModel(path.join(dir, 'tiny-model'), CONCEPTS);
    const release = path.join(dir, 'release');
    const seen = path.join(dir, 'seen');
    const config = writeConfig(dir, {
      servers: { alpha: fixture('alpha') },
      routing: { embeddings: { provider: 'transformers', localPath: model.dir, dtype: 'fp32' } },
      memory: { enabled: false },
    });
    const hub = await startHub('stdio', config, {
      env: { NODE_OPTIONS: `--import=${HOLD}`, HOLD_IMPORT: '@huggingface/transformers', HOLD_UNTIL: release, HOLD_SEEN: seen },
    });
    const routing = async () => ((await hub.client.callTool({ name: 'hub_status', arguments: {} })).structuredContent as { routing: Routing }).routing;
    const search = async (query: string) =>
      ((await hub.client.callTool({ name: 'search_tools', arguments: { query, limit: 3 } })).structuredContent as { tools: Array<{ name: string }> }).tools.map((t) => t.name);
    try {
      expect((await hub.client.listTools()).tools.map((t) => t.name)).toContain('alpha__echo');
      // The hub asks for the model once it is ready; the preload holds it there.
      await eventually(() => existsSync(seen), 15_000, 'the hub to start loading the model');
      expect(await routing()).toMatchObject({ dense: 'loading', source: { kind: 'localPath', path: model.dir } });
      expect((await search('adds two numbers'))[0]).toBe('alpha__add');
      // Lexical only: no tool's text has these words.
      expect(await search('mimic parrot')).toEqual([]);

      writeFileSync(release, '');
      const loaded = await eventually(async () => {
        const r = await routing();
        return r.dense === 'ready' && r;
      }, 20_000, 'the model to load');
      expect(loaded.model).toContain('tiny-model');
      expect(loaded.embedded).toBeGreaterThan(0);
      // Fused ranking now: the model relates the words to echo's description.
      expect((await search('mimic parrot'))[0]).toBe('alpha__echo');
      expect((await search('adds two numbers'))[0]).toBe('alpha__add');
    } finally {
      writeFileSync(release, '');
      await hub.close();
    }
  });

  it('starts its servers while its own modules load, and indexes the ones that were ready before it was', async () => {
    const dir = tempDir('cold-start-');
    const log = path.join(dir, 'hub.log');
    const config = writeConfig(dir, { servers: { alpha: fixture('alpha') }, routing: { embeddings: { provider: 'none' } }, memory: { enabled: false } });
    // prom-client is imported by the hub's modules, not by the downstream pool's: the hub cannot finish
    // loading until its server has come up, which only a server started before the hub can do.
    const hub = await startHub('stdio', config, {
      env: { NODE_OPTIONS: `--import=${HOLD}`, HOLD_IMPORT: 'prom-client', HOLD_UNTIL: log, HOLD_CONTAINING: '"message":"server ready"', ORCHESTRATOR_LOG_FILE: log },
    });
    try {
      expect((await hub.client.listTools()).tools.map((t) => t.name)).toContain('alpha__add');
      const result = await hub.client.callTool({ name: 'search_tools', arguments: { query: 'adds two numbers', limit: 3 } });
      expect((result.structuredContent as { tools: Array<{ name: string }> }).tools[0]?.name).toBe('alpha__add');
    } finally {
      await hub.close();
    }
  });

  describe('memory waiting for a deferred model', () => {
    // A Chroma that accepts connections and never answers: memory must not even try it here.
    let silent: net.Server;
    let port: number;
    let connections = 0;
    const sockets = new Set<net.Socket>();
    beforeAll(async () => {
      silent = net.createServer((socket) => {
        connections++;
        sockets.add(socket);
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      port = (silent.address() as net.AddressInfo).port;
    });
    afterAll(async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => silent.close(resolve));
    });

    const neverLoads: Embedder = {
      id: 'test:never',
      dimension: 0,
      load: () => Promise.reject(new Error('must not be asked to load')),
      embed: () => Promise.reject(new Error('must not be asked to embed')),
      close: async () => undefined,
    };

    it('stays starting until the model may load, and a close before then neither waits nor reaches Chroma', async () => {
      const model = new DeferredEmbedder(neverLoads);
      const config = MemoryConfigSchema.parse({ chroma: { url: `http://127.0.0.1:${port}`, timeoutMs: 5_000 } });
      const memory = Memory.begin(config, { dataDir: tempDir('cold-memory-'), logger: { info() {}, warn() {}, debug() {} }, embedder: model });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(memory.status().state).toBe('starting');
      // The hub stopping: the model will never load.
      model.cancel();
      await memory.close();
      expect(memory.status().state).toBe('off');
      expect(connections).toBe(0);
    });
  });
});
