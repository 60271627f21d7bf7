// A model that cannot be downloaded is reported once, with what to do, and not tried again at every
// start: the failure is remembered beside the model cache for a day.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TransformersEmbedder } from '../src/routing/embedder.js';
import { ToolIndex } from '../src/routing/index.js';
import { RoutingConfigSchema } from '../src/config/routing.js';
import { tempDir } from './support/hub.js';

const quiet = { info() {}, warn() {}, debug() {}, error() {} };

describe('model loading', () => {
  it('a remembered download failure is not retried, and search says it is lexical and why', async () => {
    const cacheDir = tempDir('models-');
    mkdirSync(cacheDir, { recursive: true });
    const marker = path.join(cacheDir, 'unavailable-Xenova_bge-small-en-v1.5.json');
    writeFileSync(marker, JSON.stringify({ model: 'Xenova/bge-small-en-v1.5', reason: 'could not download the embedding model (fetch failed)', at: new Date().toISOString() }));
    const config = RoutingConfigSchema.parse({ embeddings: { provider: 'transformers', model: 'Xenova/bge-small-en-v1.5' } });
    const embedder = new TransformersEmbedder(config.embeddings, { cacheDir });
    const started = Date.now();
    await expect(embedder.load()).rejects.toThrow(/remembered from an earlier start; not retried until .* or until .*unavailable-Xenova/);
    expect(Date.now() - started).toBeLessThan(5_000);

    const index = new ToolIndex(config, { logger: quiet as never, cacheDir, embedder });
    index.setServer('s', [{ name: 's__list_invoices', server: 's', originalName: 'list_invoices', description: 'List invoices' }]);
    await index.ready();
    expect(index.status()).toMatchObject({ dense: 'unavailable', reason: expect.stringContaining('fetch failed') });
    expect((await index.search('invoices', { limit: 1 }))[0].name).toBe('s__list_invoices');
    await index.close();
  });

  it('an old remembered failure is tried again', async () => {
    const cacheDir = tempDir('models-');
    const marker = path.join(cacheDir, 'unavailable-some_model.json');
    writeFileSync(marker, JSON.stringify({ model: 'some/model', reason: 'old failure', at: new Date(Date.now() - 2 * 86_400_000).toISOString() }));
    const config = RoutingConfigSchema.parse({ embeddings: { provider: 'transformers', model: 'some/model' } });
    const embedder = new TransformersEmbedder(config.embeddings, { cacheDir });
    const error = await embedder.load().then(() => undefined, (err: Error) => err.message);
    expect(error ?? '').not.toContain('old failure');
    expect(existsSync(marker)).toBe(true);
  });
});
