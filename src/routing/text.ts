// Text analysis shared by indexing and querying: identifiers split into words (snake, kebab, camel),
// lower case, English stop words dropped, Porter stems; Han/Kana/Hangul runs become character bigrams
// (some real tool descriptions are in Chinese and carry no spaces).
import { stem } from './stem.js';

const STOP_WORDS = new Set(
  (
    'a an and are as at be been being but by can could did do does doing for from had has have having he her here ' +
    'all about each every hers him his how i if in into is it its itself just let lets me may might more most my myself no nor not of ' +
    'off on once only or other our ours out over own please same she should so some such than that the their them ' +
    'then there these they this those through to too under until up very via was we were what when where which ' +
    'while who whom why will with would you your yours yourself'
  ).split(' '),
);

const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/;
const CJK_RUN = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+/g;

/** Splits identifiers and prose into lower-case words: "listInvoices", "list_invoices", "list-invoices" -> list, invoices. */
export function words(text: string): string[] {
  const out: string[] = [];
  const spaced = text
    // "to-do" is one word (its halves are stop words).
    .replace(/\bto-do(s?)\b/gi, 'todo$1')
    .replace(CJK_RUN, (run) => ` ${run} `)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  for (const part of spaced.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (!part) continue;
    if (CJK.test(part)) {
      if (part.length === 1) out.push(part);
      for (let i = 0; i + 1 < part.length; i++) out.push(part.slice(i, i + 2));
      continue;
    }
    out.push(part);
  }
  return out;
}

const stemCache = new Map<string, string>();

/** The index terms of one word (stem), or undefined for a stop word. */
export function term(word: string): string | undefined {
  if (STOP_WORDS.has(word) || word.length < 2) return /^\p{N}$/u.test(word) ? word : undefined;
  let s = stemCache.get(word);
  if (s === undefined) {
    s = stem(word);
    if (stemCache.size < 200_000) stemCache.set(word, s);
  }
  return s;
}

/** Index or query terms of a text, in order, with repetitions. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    const t = term(w);
    if (t) out.push(t);
  }
  return out;
}
