// Schema of the `routing:` section (tool search). Every field has a default, so the section may be absent.
// Only the shape lives here: src/config imports nothing from src/routing.
import { z } from 'zod';

export const EmbeddingsSchema = z
  .object({
    /** `transformers`: a local ONNX model through transformers.js; `openai`: the embeddings API; `none`: lexical only. */
    provider: z.enum(['transformers', 'openai', 'none']).default('transformers'),
    /** Model id. Default per provider: `Xenova/bge-small-en-v1.5` (transformers), `text-embedding-3-small` (openai). */
    model: z.string().min(1).optional(),
    /** A local model folder (config.json, tokenizer.json, onnx/model*.onnx); nothing is downloaded when given. */
    localPath: z.string().min(1).optional(),
    /** ONNX weights variant: q8 is `onnx/model_quantized.onnx` (a quarter of the download), fp32 `onnx/model.onnx`. */
    dtype: z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'bnb4', 'q4f16']).default('q8'),
    /** How token vectors become one vector; default from the model (BGE: cls, others: mean). */
    pooling: z.enum(['cls', 'mean']).optional(),
    /** Text put before a query / a tool document; default from the model (BGE's retrieval instruction for queries). */
    queryPrefix: z.string().optional(),
    documentPrefix: z.string().optional(),
    /** OpenAI (or compatible) settings; apiKey falls back to OPENAI_API_KEY. */
    apiKey: z.string().optional(),
    baseURL: z.string().optional(),
    dimensions: z.number().int().positive().optional(),
    /**
     * Texts per model run (transformers; the OpenAI API gets at least 64 a request). 1 is the fastest on CPU
     * (no padding; measured 8.3 s against 15.4 s for 527 tools) and gives a text the same vector whatever it
     * is embedded with: q8 models quantize activations per run, so a batch's other texts shift its numbers.
     */
    batchSize: z.number().int().positive().default(1),
  })
  .strict();

export const FusionSchema = z
  .object({
    /**
     * `scores`: each ranking's scores scaled to [0, 1] and mixed by the weights below; `rrf`: reciprocal
     * rank fusion, sum of weight / (k + rank).
     */
    method: z.enum(['scores', 'rrf']).default('scores'),
    k: z.number().positive().default(60),
    lexicalWeight: z.number().min(0).default(0.4),
    denseWeight: z.number().min(0).default(0.6),
    /** Score fusion: dense scores closer together than this (best to last read) count as an unsure model and weigh less. */
    minDenseRange: z.number().min(0).default(0.3),
    /** Weight of the similarity between the request and a tool's server (name and description) in dense scores. */
    serverContext: z.number().min(0).default(0.3),
    /**
     * Extra share for tools of a server the request names ("in Xero"): score * (1 + serverBoost). Off by
     * default: server names that are ordinary words (fetch, time, memory, git) boost whole servers for
     * requests that never meant them, and the server's name is a BM25F field anyway (bench/README.md).
     */
    serverBoost: z.number().min(0).default(0),
    /** How deep each ranking is read before fusing. */
    depth: z.number().int().positive().default(100),
  })
  .strict();

export const ServerFirstSchema = z
  .object({
    /** Pick servers first, then tools within them, once the catalog has at least `minTools` tools. */
    enabled: z.boolean().default(false),
    minTools: z.number().int().nonnegative().default(1000),
    /** How many servers survive the first stage. */
    servers: z.number().int().positive().default(8),
  })
  .strict();

export const LexicalSchema = z
  .object({
    k1: z.number().positive().default(1.2),
    b: z.number().min(0).max(1).default(0.75),
    /** Field weights of BM25F. */
    weights: z
      .object({
        name: z.number().min(0).default(3),
        server: z.number().min(0).default(1.5),
        description: z.number().min(0).default(1),
        params: z.number().min(0).default(0.5),
        related: z.number().min(0).default(0.4),
      })
      .strict()
      .prefault({}),
    /** Index-time expansion with general-purpose related words (create/add/new, delete/remove, ...). */
    expand: z.boolean().default(true),
  })
  .strict();

export const RoutingConfigSchema = z
  .object({
    embeddings: EmbeddingsSchema.prefault({}),
    fusion: FusionSchema.prefault({}),
    lexical: LexicalSchema.prefault({}),
    serverFirst: ServerFirstSchema.prefault({}),
    /** Results of a search when the caller gives no limit. */
    defaultLimit: z.number().int().positive().default(8),
    maxLimit: z.number().int().positive().default(50),
  })
  .strict();

export type RoutingConfig = z.output<typeof RoutingConfigSchema>;
export type RoutingConfigInput = z.input<typeof RoutingConfigSchema>;
export type EmbeddingsConfig = z.output<typeof EmbeddingsSchema>;

/**
 * `routing.rerank` (issue 14): a model reorders the top candidates of search_tools. Off by default.
 * Read by the server layer (which owns the model), not by the index: the hub's config carries it beside
 * the other routing keys (src/config/schema.ts).
 */
export const RerankSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** `llm`: the hub's configured model (llm:); `sampling`: the calling client's model (MCP sampling); `auto`: the configured model if one is set, else sampling when the client offers it. */
    by: z.enum(['llm', 'sampling', 'auto']).default('auto'),
    /** How many of the best hits the model sees and reorders (the rest keep their order after them). */
    candidates: z.number().int().min(2).max(50).default(20),
    /** Longest wait for the model; past it the search answers in its own order. */
    timeoutMs: z.number().int().positive().default(5_000),
    /** Output tokens the model may spend on its answer. */
    maxTokens: z.number().int().positive().max(4096).default(400),
  })
  .strict();

export type RerankConfig = z.output<typeof RerankSchema>;
