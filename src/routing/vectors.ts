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

  search(query: Float32Array, limit: number, allowed?: (doc: number) => boolean): Scored[] {
    const scores = new Map<number, number>();
    for (const [doc, v] of this.vectors) {
      if (allowed && !allowed(doc)) continue;
      if (v.length !== query.length) continue;
      let dot = 0;
      for (let i = 0; i < v.length; i++) dot += v[i] * query[i];
      scores.set(doc, dot);
    }
    return topK(scores, limit);
  }
}
