// A deterministic embedder that needs no model: feature hashing of the same normalised terms the
// BM25 index uses (lower case, stems, stop words dropped), plus adjacent-term pairs for a little word order.
// It is the fallback when the configured model cannot load (offline, no key): the memory still finds
// requests that share their words, which is what plan reuse needs.
import type { Embedder } from '../routing/embedder.js';
import { terms } from '../routing/text.js';

const DIMENSION = 512;
const PAIR_WEIGHT = 0.5;

// FNV-1a, 32 bit: fast, stable across runs and platforms.
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class HashingEmbedder implements Embedder {
  readonly id = `hash:terms-v1:${DIMENSION}`;
  readonly dimension = DIMENSION;

  async load(): Promise<void> {}

  async embed(texts: string[], _kind?: 'query' | 'document'): Promise<Float32Array[]> {
    return texts.map((t) => this.vector(t));
  }

  vector(text: string): Float32Array {
    const counts = new Map<string, number>();
    const add = (feature: string, weight: number) => counts.set(feature, (counts.get(feature) ?? 0) + weight);
    // Lower case first: requests write names as they like ("ClickUp", "clickup"), and camel-case
    // splitting would make those different terms.
    const ts = terms(text.toLowerCase());
    ts.forEach((t, i) => {
      add(t, 1);
      if (i > 0) add(`${ts[i - 1]} ${t}`, PAIR_WEIGHT);
    });
    const v = new Float32Array(DIMENSION);
    for (const [feature, tf] of counts) {
      const h = fnv1a(feature);
      // A second hash gives the sign, so colliding features cancel on average instead of adding up.
      const sign = fnv1a(feature, 0x9747b28c) & 1 ? 1 : -1;
      v[h % DIMENSION] += sign * (1 + Math.log(tf));
    }
    let norm = 0;
    for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
    return v;
  }

  async close(): Promise<void> {}
}
