// Bot API parameters arrive in the query string, a JSON body, a urlencoded body or a multipart body,
// and nested objects (reply_parameters) come JSON-serialised in the non-JSON forms. This flattens all
// of them into one lookup with typed accessors.
import type { MockRequest } from '../lib/mock-http.js';

export interface Upload {
  name: string;
  type: string;
  bytes: Buffer;
}

export class Params {
  private constructor(
    private readonly values: Record<string, unknown>,
    readonly uploads: Record<string, Upload>,
  ) {}

  static async from(req: MockRequest): Promise<Params> {
    const values: Record<string, unknown> = Object.fromEntries(req.query);
    const uploads: Record<string, Upload> = {};
    const contentType = String(req.headers['content-type'] ?? '');
    if (contentType.includes('multipart/form-data')) {
      // The WHATWG Request parses multipart exactly as a browser or fetch would have encoded it.
      const form = await new Request('http://mock/', { method: 'POST', headers: { 'content-type': contentType }, body: req.rawBody }).formData();
      for (const [key, value] of form.entries()) {
        if (typeof value === 'string') values[key] = value;
        else uploads[key] = { name: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) };
      }
    } else if (req.body && typeof req.body === 'object') Object.assign(values, req.body);
    return new Params(values, uploads);
  }

  has(key: string): boolean {
    return this.values[key] !== undefined && this.values[key] !== '';
  }

  string(key: string): string | undefined {
    const v = this.values[key];
    return v === undefined || v === null ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
  }

  /** Integers; Telegram also accepts them as strings. NaN when present but not a number. */
  int(key: string): number | undefined {
    const v = this.values[key];
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isInteger(n) ? n : NaN;
  }

  bool(key: string): boolean {
    const v = this.values[key];
    return v === true || v === 'true' || v === '1' || v === 1;
  }

  /** Objects, given inline (JSON bodies) or JSON-serialised (query, urlencoded, multipart). */
  object<T>(key: string): T | undefined {
    const v = this.values[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'object') return v as T;
    try {
      return JSON.parse(String(v)) as T;
    } catch {
      return undefined;
    }
  }
}
