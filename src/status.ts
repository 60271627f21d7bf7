// hub_status's answer, built from the pool; shared by the meta-tool, the banner and doctor.
import type { DownstreamPool } from './downstream/pool.js';
import type { Catalog } from './catalog/catalog.js';
import { NO_MODEL_FIX, type Embedder, type EmbedderSource } from './routing/embedder.js';

export interface ServerStatus {
  name: string;
  state: string;
  transport?: string;
  /** The MCP revision the server speaks (2026-07-28 or 2025-11-25), once connected. */
  protocol?: string;
  tools: number;
  error?: string;
  restarts: number;
  connectMs?: number;
  /** Variables to set before this server can start. */
  missing?: string[];
}

export interface HubStatus {
  servers: ServerStatus[];
  totals: { servers: number; ready: number; tools: number; resources: number; prompts: number };
  [section: string]: unknown;
}

export function poolStatus(pool: DownstreamPool, catalog: Catalog): HubStatus {
  const servers: ServerStatus[] = [...pool.connections.values()].map((c) => ({
    name: c.name,
    state: c.state,
    transport: c.transport ?? (c.config.transport === 'auto' ? undefined : c.config.transport),
    protocol: c.protocolVersion,
    tools: catalog.tools().filter((t) => t.server === c.name).length,
    // A name left out for a clash is the config's to fix: it shows where a failure would.
    error: c.lastError ?? (catalog.conflicts().filter((x) => x.server === c.name).map((x) => x.message).join('; ') || undefined),
    restarts: c.restarts,
    connectMs: c.connectMs,
  }));
  for (const [name, missing] of Object.entries(pool.notConfigured)) {
    servers.push({ name, state: 'not-configured', tools: 0, restarts: 0, missing, error: `not configured: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set` });
  }
  servers.sort((a, b) => a.name.localeCompare(b.name));
  return {
    servers,
    totals: {
      servers: servers.length,
      ready: servers.filter((s) => s.state === 'ready').length,
      tools: catalog.tools().length,
      resources: catalog.resources().length,
      prompts: catalog.prompts().length,
    },
  };
}

/** Which embedding model tool search (and memory) uses, from where, and what to do when none loaded. */
export interface EmbeddingReport {
  state: 'ready' | 'loading' | 'unavailable' | 'off';
  /** The embedder's id (the key of cached vectors and memory collections). */
  id?: string;
  source?: EmbedderSource;
  reason?: string;
  fix?: string;
  /** One line for people. */
  summary: string;
}

const FROM: Record<EmbedderSource['kind'], string> = {
  store: 'from the model store',
  'hf-cache': 'from the Hugging Face cache',
  download: 'downloaded from the Hugging Face hub into the cache',
  localPath: 'from routing.embeddings.localPath',
  openai: 'through the OpenAI embeddings API',
  none: '',
};

/** The embedding part of hub_status and doctor, from the index's status and the embedder's source. */
export function embeddingReport(routing: { dense: EmbeddingReport['state']; model?: string; reason?: string }, source?: EmbedderSource): EmbeddingReport {
  const where = source ? `${source.model} ${source.kind === 'download' && routing.dense !== 'ready' ? 'from the Hugging Face hub (download)' : FROM[source.kind]}${source.path ? ` (${source.path})` : ''}` : routing.model ?? 'the model';
  const base = { state: routing.dense, ...(routing.model ? { id: routing.model } : {}), ...(source ? { source } : {}), ...(routing.reason ? { reason: routing.reason } : {}) };
  switch (routing.dense) {
    case 'ready':
      return { ...base, summary: `${where}: loaded` };
    case 'loading':
      return { ...base, summary: `${where}: still loading (search is lexical until it is ready)` };
    case 'off':
      return { ...base, summary: 'none: routing.embeddings.provider is none, so tool search is lexical (BM25)' };
    default:
      return {
        ...base,
        summary: `none loaded, tool search is lexical (BM25): ${routing.reason ?? `${where} is unavailable`}`,
        fix: source?.kind === 'openai' ? 'set OPENAI_API_KEY (or routing.embeddings.apiKey), or use a local model: routing.embeddings.provider: transformers' : NO_MODEL_FIX,
      };
  }
}

/** hub_status's `routing`: the index's status plus where the model comes from and, when none loaded, what to do. */
export function routingStatus<T extends { dense: EmbeddingReport['state']; model?: string; reason?: string }>(index: T, embedder?: Pick<Embedder, 'source'>): T & { source?: EmbedderSource; fix?: string } {
  const report = embeddingReport(index, embedder?.source);
  return { ...index, ...(report.source ? { source: report.source } : {}), ...(report.fix ? { fix: report.fix } : {}) };
}
