// Brute-force cosine search over unit vectors: at catalog sizes (thousands of tools) a scan over one
// contiguous matrix is a few milliseconds and needs no index structure to keep in step with servers
// coming and going.
import type { Scored } from './bm25.js';

export class VectorStore {
  /** Row r holds the vector of docs[r]; rows are packed (a deleted row takes the last one's place). */
  private matrix = new Float32Array(0);
  private dimension = 0;
  private readonly docs: number[] = [];
  /** Row r's group (the index passes its server), for a per-group bonus in search. */
  private readonly groups: number[] = [];
  private readonly rows = new Map<number, number>();

  get size(): number {
    return this.docs.length;
  }

  has(doc: number): boolean {
    return this.rows.has(doc);
  }

  set(doc: number, v: Float32Array, group = 0): void {
    if (this.dimension !== v.length) {
      // Another model (another vector length): what was stored cannot be compared with it.
      this.clear();
      this.dimension = v.length;
    }
    let row = this.rows.get(doc);
    if (row === undefined) {
      row = this.docs.length;
      if ((row + 1) * this.dimension > this.matrix.length) {
        const grown = new Float32Array(Math.max(64, (row + 1) * 2) * this.dimension);
        grown.set(this.matrix);
        this.matrix = grown;
      }
      this.docs.push(doc);
      this.groups.push(group);
      this.rows.set(doc, row);
    }
    this.groups[row] = group;
    this.matrix.set(v, row * this.dimension);
  }

  delete(doc: number): void {
    const row = this.rows.get(doc);
    if (row === undefined) return;
    const last = this.docs.length - 1;
    if (row !== last) {
      const moved = this.docs[last];
      this.matrix.copyWithin(row * this.dimension, last * this.dimension, (last + 1) * this.dimension);
      this.docs[row] = moved;
      this.groups[row] = this.groups[last];
      this.rows.set(moved, row);
    }
    this.docs.pop();
    this.groups.pop();
    this.rows.delete(doc);
  }

  clear(): void {
    this.docs.length = 0;
    this.groups.length = 0;
    this.rows.clear();
    this.matrix = new Float32Array(0);
  }

  /** Cosine to the query (plus `groupBonus[group]` where given), best first; ties keep the lower doc id. */
  search(query: Float32Array, limit: number, allowed?: (doc: number) => boolean, groupBonus?: ArrayLike<number>): Scored[] {
    if (query.length !== this.dimension || limit <= 0) return [];
    const top = new TopK(limit);
    const d = this.dimension;
    const m = this.matrix;
    for (let r = 0; r < this.docs.length; r++) {
      const doc = this.docs[r];
      if (allowed && !allowed(doc)) continue;
      // Four accumulators: independent additions run in parallel on the CPU.
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      const o = r * d;
      let i = 0;
      for (; i + 3 < d; i += 4) {
        s0 += m[o + i] * query[i];
        s1 += m[o + i + 1] * query[i + 1];
        s2 += m[o + i + 2] * query[i + 2];
        s3 += m[o + i + 3] * query[i + 3];
      }
      for (; i < d; i++) s0 += m[o + i] * query[i];
      const sum = s0 + s1 + s2 + s3;
      top.offer(doc, groupBonus ? sum + (groupBonus[this.groups[r]] ?? 0) : sum);
    }
    return top.sorted();
  }
}

export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** The best `limit` of a stream of scores: a min-heap on (score, then higher doc id = worse). */
class TopK {
  private readonly heap: Scored[] = [];
  constructor(private readonly limit: number) {}

  private static worse(a: Scored, b: Scored): boolean {
    return a.score < b.score || (a.score === b.score && a.doc > b.doc);
  }

  offer(doc: number, score: number): void {
    const h = this.heap;
    if (h.length < this.limit) {
      h.push({ doc, score });
      let i = h.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!TopK.worse(h[i], h[p])) break;
        [h[i], h[p]] = [h[p], h[i]];
        i = p;
      }
      return;
    }
    if (!TopK.worse(h[0], { doc, score })) return;
    h[0] = { doc, score };
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < h.length && TopK.worse(h[l], h[w])) w = l;
      if (r < h.length && TopK.worse(h[r], h[w])) w = r;
      if (w === i) break;
      [h[i], h[w]] = [h[w], h[i]];
      i = w;
    }
  }

  sorted(): Scored[] {
    return [...this.heap].sort((a, b) => b.score - a.score || a.doc - b.doc);
  }
}
