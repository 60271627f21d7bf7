// Brute-force cosine search over unit vectors: at catalog sizes (thousands of tools) a scan is a
// millisecond and needs no index structure to keep in step with servers coming and going.
import { topK, type Scored } from './bm25.js';

export class VectorStore {
  private readonly vectors = new Map<number, Float32Array>();

  get size(): number {
    return this.vectors.size;
  }

  has(doc: number): boolean {
    return this.vectors.has(doc);
  }

  set(doc: number, v: Float32Array): void {
    this.vectors.set(doc, v);
  }

  delete(doc: number): void {
    this.vectors.delete(doc);
  }

  clear(): void {
    this.vectors.clear();
  }

  /** Cosine to the query (plus `bonus(doc)` where given), best first. */
  search(query: Float32Array, limit: number, allowed?: (doc: number) => boolean, bonus?: (doc: number) => number): Scored[] {
    const scores = new Map<number, number>();
    for (const [doc, v] of this.vectors) {
      if (allowed && !allowed(doc)) continue;
      if (v.length !== query.length) continue;
      scores.set(doc, dot(v, query) + (bonus ? bonus(doc) : 0));
    }
    return topK(scores, limit);
  }
}

export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}
