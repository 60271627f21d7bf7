// `models list` / `models import` and doctor, through the binary, with a model store of their own
// (MCP_ORCHESTRATOR_MODELS): what the store holds, which model a config loads and why, refusals with
// the missing file and exit code 2, and a hub that loads the store model when its config names none.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModel } from './fixtures/tiny-model.js';
import { CLI, fixture, tempDir, writeConfig } from './support/hub.js';

let store: string;
let tiny: string;
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 90_000, env: { ...process.env, MCP_ORCHESTRATOR_MODELS: store, ...env } });

beforeAll(() => {
  store = tempDir('store-');
  // A loadable model (an embedding lookup, not a real encoder); q8 is the default dtype's file name.
  tiny = writeTinyModel(path.join(tempDir('src-'), 'tiny-minilm'), { talk: ['message', 'chat', 'send'], money: ['invoice', 'bill'] }).dir;
  copyFileSync(path.join(tiny, 'onnx', 'model.onnx'), path.join(tiny, 'onnx', 'model_quantized.onnx'));
});

describe('models CLI', () => {
  it('models list: an empty store says how to fill it, and the config loads the Hugging Face default', () => {
    const config = writeConfig(tempDir(), { servers: {} });
    const r = run(['models', 'list', '--config', config]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Model store: ${store}`);
    expect(r.stdout).toMatch(/\(empty: `npm run models:fetch` builds all-MiniLM-L6-v2/);
    expect(r.stdout).toMatch(/loads: Xenova\/bge-small-en-v1\.5 downloaded from the Hugging Face hub/);
  });

  it('models import refuses a broken folder with the missing file (exit 2, nothing on stdout, nothing in the store)', () => {
    const broken = path.join(tempDir('src-'), 'broken');
    spawnSync('cp', ['-r', tiny, broken]);
    rmSync(path.join(broken, 'tokenizer.json'));
    const r = run(['models', 'import', broken]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/missing tokenizer\.json/);
    expect(readdirSync(store)).toEqual([]);
  });

  it('models import + list: the store model is what a config without a model loads; doctor says so', () => {
    const imported = run(['models', 'import', tiny]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(new RegExp(`^imported tiny-minilm into ${store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/tiny-minilm \\(fp32, q8; vectors of 3\\)`));
    expect(existsSync(path.join(store, 'tiny-minilm', 'manifest.json'))).toBe(true);

    const dir = tempDir();
    const config = writeConfig(dir, { servers: { alpha: fixture('alpha') }, memory: { enabled: false } });
    const list = run(['models', 'list', '--json', '--config', config]);
    expect(list.status, list.stderr).toBe(0);
    const json = JSON.parse(list.stdout);
    expect(json.store.models).toEqual([expect.objectContaining({ name: 'tiny-minilm', ok: true, dtypes: ['fp32', 'q8'] })]);
    expect(json.loads).toMatchObject({ kind: 'store', model: 'tiny-minilm', path: path.join(store, 'tiny-minilm') });
    expect(json.loads.reason).toMatch(/names no model or localPath/);
    // A config that names a model loads that one instead.
    const named = run(['models', 'list', '--config', writeConfig(tempDir(), { routing: { embeddings: { model: 'Xenova/all-MiniLM-L6-v2' } } })]);
    expect(named.stdout).toMatch(/loads: Xenova\/all-MiniLM-L6-v2 downloaded from the Hugging Face hub\n  because routing\.embeddings\.model names it/);

    const doctor = run(['doctor', '--config', config]);
    expect(doctor.status, doctor.stderr).toBe(0);
    expect(doctor.stdout).toContain(`Embedding model: tiny-minilm from the model store (${path.join(store, 'tiny-minilm')}): loaded`);
    const status = run(['doctor', '--json', '--config', config]);
    const json2 = JSON.parse(status.stdout);
    expect(json2.embeddings).toMatchObject({ state: 'ready', id: expect.stringMatching(/^transformers:tiny-minilm@[0-9a-f]{12}:q8$/), source: { kind: 'store' } });
    // hub_status's routing carries the same.
    expect(json2.routing).toMatchObject({ dense: 'ready', model: json2.embeddings.id, source: { kind: 'store', model: 'tiny-minilm', path: path.join(store, 'tiny-minilm') } });
    expect(json2.routing.fix).toBeUndefined();

    // Without a model anywhere (an empty store; the default's download failed, remembered so nothing is tried): doctor says what to do.
    mkdirSync(path.join(dir, '.orchestrator', 'models'), { recursive: true });
    writeFileSync(path.join(dir, '.orchestrator', 'models', 'unavailable-Xenova_bge-small-en-v1.5.json'), JSON.stringify({ model: 'Xenova/bge-small-en-v1.5', reason: 'could not download the embedding model (fetch failed)', at: new Date().toISOString() }));
    const offline = run(['doctor', '--config', config], { MCP_ORCHESTRATOR_MODELS: tempDir('empty-') });
    expect(offline.status, offline.stderr).toBe(0);
    expect(offline.stdout).toMatch(/Embedding model: none loaded, tool search is lexical/);
    expect(offline.stdout).toMatch(/to fix: run `npm run models:fetch`.*models import/);
    const offlineJson = JSON.parse(run(['doctor', '--json', '--config', config], { MCP_ORCHESTRATOR_MODELS: tempDir('empty-') }).stdout);
    expect(offlineJson.routing).toMatchObject({ dense: 'unavailable', source: { kind: 'download', model: 'Xenova/bge-small-en-v1.5' }, fix: expect.stringMatching(/npm run models:fetch/) });
  });
});
