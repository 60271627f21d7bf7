// Schema of the `memory:` section (the Chroma run memory). Every field has a default, so the section
// may be absent. Only the shape lives here: src/config imports nothing from src/memory.
import { z } from 'zod';

export const ChromaConfigSchema = z
  .object({
    /**
     * An existing Chroma server or Chroma Cloud (e.g. `https://api.trychroma.com`); several hubs
     * pointing at one server share one memory. Absent: the hub starts its own server under `<dataDir>/chroma`.
     */
    url: z.url().optional(),
    /** Sent with every request, e.g. `x-chroma-token: ${CHROMA_API_KEY}` for Chroma Cloud. */
    headers: z.record(z.string(), z.string()).default({}),
    tenant: z.string().min(1).optional(),
    database: z.string().min(1).optional(),
    /** Per request; a server that does not answer in time counts as unreachable. */
    timeoutMs: z.number().int().positive().default(10_000),
    /** How long the embedded server may take to answer its first heartbeat. */
    startTimeoutMs: z.number().int().positive().default(30_000),
  })
  .strict();

export const MemoryConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    chroma: ChromaConfigSchema.prefault({}),
    /** Base name of the collection; the embedder's id and dimension are appended, so vectors of different models never mix. */
    collection: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,98}[A-Za-z0-9]$/, 'collection names use letters, digits, ".", "_" and "-" (3 to 100 characters)')
      .default('orchestrator_memory'),
    retention: z
      .object({
        /** Runs kept; the oldest go first. Saved notes do not count. */
        maxRuns: z.number().int().positive().default(5000),
        /** Runs older than this are pruned. */
        maxAgeDays: z.number().positive().default(180),
      })
      .strict()
      .prefault({}),
    reuse: z
      .object({
        /** Reuse a remembered successful plan for a near-identical request, with no planning call. */
        enabled: z.boolean().default(true),
        /** Cosine similarity between the two requests (changed literals masked) at or above which a past plan may be reused. */
        threshold: z.number().min(0).max(1).default(0.92),
      })
      .strict()
      .prefault({}),
    /** Similar past runs given to the planner as examples (0: none). */
    examples: z.number().int().min(0).max(20).default(3),
  })
  .strict();

export type MemoryConfig = z.output<typeof MemoryConfigSchema>;
export type MemoryConfigInput = z.input<typeof MemoryConfigSchema>;
