// The real embedding model, as a hub with default routing settings loads it: all-MiniLM-L6-v2 from the
// per-machine model store (`npm run models:fetch`), offline. Skipped when the store has no model, unless
// MCP_ORCHESTRATOR_REQUIRE_MODEL=1 (CI), where a missing model fails.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoutingConfigSchema } from '../src/config/routing.js';
import { createEmbedder, type Embedder } from '../src/routing/embedder.js';
import { ToolIndex } from '../src/routing/index.js';
import { listStore, STORE_ENV } from '../src/routing/model-store.js';
import { CLI, fixture, tempDir, writeConfig } from './support/hub.js';

// test/support/model-store-env.ts gives every test file an empty store and keeps the real one here.
const REAL = process.env.MCP_ORCHESTRATOR_REAL_MODELS!;
const REQUIRED = process.env.MCP_ORCHESTRATOR_REQUIRE_MODEL === '1';
const model = listStore(REAL).find((m) => m.ok && m.dtypes.includes('q8'));
if (!model) {
  process.stderr.write(
    `real-model.test: no model in the model store ${REAL}; ${REQUIRED ? 'MCP_ORCHESTRATOR_REQUIRE_MODEL=1, so this fails' : 'skipped'} (run \`npm run models:fetch\` to include it)\n`,
  );
}

describe('a model in the store', () => {
  it.runIf(REQUIRED)('is there when MCP_ORCHESTRATOR_REQUIRE_MODEL=1', () => {
    expect(model, `no usable model in the model store ${REAL}: run \`npm run models:fetch\` (or unset MCP_ORCHESTRATOR_REQUIRE_MODEL)`).toBeDefined();
  });
});

describe.skipIf(!model)('the real model from the store, loaded by default', () => {
  const saved = process.env[STORE_ENV];
  const config = RoutingConfigSchema.parse({});
  let embedder: Embedder;
  beforeAll(async () => {
    process.env[STORE_ENV] = REAL;
    // Exactly what the hub does: the configured embedder; the config names no model.
    embedder = createEmbedder(config.embeddings, { cacheDir: path.join(tempDir('data-'), 'models') })!;
    await embedder.load();
  }, 120_000);
  afterAll(async () => {
    await embedder?.close();
    process.env[STORE_ENV] = saved;
  });

  it('is the store model, known by name and content, 384 dimensions', () => {
    expect(embedder.id).toMatch(new RegExp(`^transformers:${model!.name}@[0-9a-f]{12}:q8$`));
    expect(embedder.source).toMatchObject({ kind: 'store', model: model!.name, path: model!.path });
    expect(embedder.dimension).toBe(384);
  });

  it('puts paraphrases close and unrelated sentences apart', async () => {
    const [a, b, c, d] = await embedder.embed(['unpaid invoices', 'invoices that have not been paid', 'play a song', 'which bills are overdue'], 'document');
    const cos = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i], 0);
    expect(cos(a, b)).toBeGreaterThan(0.7);
    expect(cos(a, c)).toBeLessThan(0.2);
    expect(cos(a, d)).toBeGreaterThan(cos(a, c) + 0.2);
  });

  it('ranks by meaning in a ToolIndex: a chat message to a group finds the Telegram tool', async () => {
    const index = new ToolIndex(config, { embedder });
    const tool = (server: string, name: string, description: string) => ({ name: `${server}__${name}`, server, originalName: name, description });
    index.setServer('telegram', [tool('telegram', 'send_message', 'Send a text message to a Telegram chat, group or channel.'), tool('telegram', 'get_updates', 'Receive incoming updates for the bot.')]);
    index.setServer('xero', [tool('xero', 'list_invoices', 'List invoices, optionally filtered by status (draft, authorised, paid).'), tool('xero', 'create_contact', 'Create a customer or supplier contact.')]);
    index.setServer('clickup', [tool('clickup', 'create_task', 'Create a task in a list.'), tool('clickup', 'get_tasks', 'Get the tasks of a list.')]);
    index.setServer('weather', [tool('weather', 'forecast', 'Weather forecast for a city.')]);
    await index.ready();
    expect(index.status()).toMatchObject({ dense: 'ready', model: embedder.id, embedded: 7 });
    const dense = await index.search('send a chat message to a group', { mode: 'dense', limit: 3 });
    expect(dense[0].name).toBe('telegram__send_message');
    // No word in common with the tool: only the model can tell.
    const meaning = await index.search('show me unpaid bills', { mode: 'dense', limit: 2 });
    expect(meaning[0].name).toBe('xero__list_invoices');
    expect((await index.search('add a to-do item', { mode: 'dense', limit: 1 }))[0].name).toBe('clickup__create_task');
    const umbrella = await index.search('do I need an umbrella tomorrow', { mode: 'dense', limit: 1 });
    expect(umbrella[0].name).toBe('weather__forecast');
    await index.close();
  });

  it('a hub whose config names no model loads it (doctor says so)', () => {
    const config = writeConfig(tempDir(), { servers: { alpha: fixture('alpha') }, memory: { enabled: false } });
    const r = spawnSync(process.execPath, [CLI, 'doctor', '--config', config], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, [STORE_ENV]: REAL } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Embedding model: ${model!.name} from the model store (${model!.path}): loaded`);
  }, 130_000);
});
