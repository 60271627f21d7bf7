// Field-weighted BM25 (BM25F: per-field length normalisation, weighted term frequencies summed before
// saturation) over an inverted index that documents can join and leave one at a time.
import { FIELDS, type FieldTerms } from './document.js';

export interface Bm25Options {
  k1: number;
  b: number;
  weights: Record<(typeof FIELDS)[number], number>;
}

export interface Scored {
  doc: number;
  score: number;
}

const F = FIELDS.length;

export class Bm25Index {
  /** term -> doc -> term frequency per field. */
  private readonly postings = new Map<string, Map<number, Uint16Array>>();
  private readonly docs = new Map<number, { lengths: number[]; terms: string[] }>();
  private readonly lengthSums = new Array<number>(F).fill(0);
  private readonly weights: number[];

  constructor(private readonly options: Bm25Options) {
    this.weights = FIELDS.map((f) => options.weights[f]);
  }

  get size(): number {
    return this.docs.size;
  }

  add(doc: number, fields: FieldTerms): void {
    if (this.docs.has(doc)) this.remove(doc);
    const lengths = FIELDS.map((f) => fields[f].length);
    const seen = new Set<string>();
    FIELDS.forEach((field, fi) => {
      for (const t of fields[field]) {
        let byDoc = this.postings.get(t);
        if (!byDoc) this.postings.set(t, (byDoc = new Map()));
        let tf = byDoc.get(doc);
        if (!tf) byDoc.set(doc, (tf = new Uint16Array(F)));
        if (tf[fi] < 65535) tf[fi]++;
        seen.add(t);
      }
    });
    lengths.forEach((l, i) => (this.lengthSums[i] += l));
    this.docs.set(doc, { lengths, terms: [...seen] });
  }

  remove(doc: number): void {
    const d = this.docs.get(doc);
    if (!d) return;
    for (const t of d.terms) {
      const byDoc = this.postings.get(t);
      byDoc?.delete(doc);
      if (byDoc && byDoc.size === 0) this.postings.delete(t);
    }
    d.lengths.forEach((l, i) => (this.lengthSums[i] -= l));
    this.docs.delete(doc);
  }

  /** Documents matching any query term, best first; `allowed` restricts the candidates. */
  search(queryTerms: string[], limit: number, allowed?: (doc: number) => boolean): Scored[] {
    const n = this.docs.size;
    if (n === 0) return [];
    const { k1, b } = this.options;
    const avg = this.lengthSums.map((s) => Math.max(s / n, 1e-9));
    const scores = new Map<number, number>();
    for (const t of new Set(queryTerms)) {
      const byDoc = this.postings.get(t);
      if (!byDoc) continue;
      const df = byDoc.size;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (const [doc, tf] of byDoc) {
        if (allowed && !allowed(doc)) continue;
        const lengths = this.docs.get(doc)!.lengths;
        let weighted = 0;
        for (let f = 0; f < F; f++) {
          if (tf[f] === 0 || this.weights[f] === 0) continue;
          weighted += (this.weights[f] * tf[f]) / (1 - b + (b * lengths[f]) / avg[f]);
        }
        if (weighted === 0) continue;
        scores.set(doc, (scores.get(doc) ?? 0) + (idf * weighted * (k1 + 1)) / (k1 + weighted));
      }
    }
    return topK(scores, limit);
  }
}

/** The `limit` best entries of a score map, best first; ties keep the lower doc id (stable across runs). */
export function topK(scores: Map<number, number>, limit: number): Scored[] {
  const all: Scored[] = [];
  for (const [doc, score] of scores) all.push({ doc, score });
  all.sort((x, y) => y.score - x.score || x.doc - y.doc);
  return all.length > limit ? all.slice(0, limit) : all;
}
