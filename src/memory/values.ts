// The values of a request: what a plan acts on rather than how it is worded. Two requests whose values
// differ ("Acme" / "Globex", 500 / 600 / -500, Monday / Tuesday, "last week" / "this week", a@x.io / b@x.io,
// "Q3 report" / "Q4 report", a quoted title) are different requests however similar the wording, so a
// remembered plan is reused only when both requests hold the same values (src/memory/index.ts).
// Extraction errs towards seeing values: a false value costs a planning call, a missed one runs the
// wrong plan.

const NUMBER_WORDS =
  'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion dozen half quarter once twice first second third fourth fifth sixth seventh eighth ninth tenth last';
const TIME_WORDS =
  'monday tuesday wednesday thursday friday saturday sunday weekday weekdays weekend weekends january february march april june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec today tomorrow yesterday tonight morning afternoon evening night noon midnight day days week weeks weekly month months monthly quarter quarters quarterly year years yearly annual annually daily hourly hour hours minute minutes ytd eod eow';
const CURRENCY_WORDS = 'dollar dollars euro euros pound pounds cent cents yen rupee rupees franc francs';
// A modifier right before a time word is part of the value: "last week" and "next week" differ.
const MODIFIERS = new Set('last next this previous past coming current prior every each'.split(' '));

const NUMBERS = new Set(NUMBER_WORDS.split(' '));
const TIMES = new Set(TIME_WORDS.split(' '));
const CURRENCIES = new Set(CURRENCY_WORDS.split(' '));

const QUOTED = /(?:"([^"\n]+)"|“([^”\n]+)”|`([^`\n]+)`|(?<![\p{L}\p{N}])'([^'\n]+)'(?![\p{L}\p{N}]))/gu;
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+[^\s<>"'`.,;:!?)\]]/g;

/** Words as written: surrounding punctuation trimmed, but a leading #, @, currency sign or a number's sign (-500) and a trailing % kept. */
function words(text: string): string[] {
  return text
    .split(/\s+/)
    .map((t) => t.replace(/^(?:(?![-+\u2212]\p{N})[^\p{L}\p{N}#@\p{Sc}])+|[^\p{L}\p{N}%]+$/gu, ''))
    .filter(Boolean);
}

/** Words written like names: capitalised where a sentence does not start, or with capitals inside (ClickUp, USD). Lower-cased. */
function nameWords(text: string): Set<string> {
  const names = new Set<string>();
  const raw = text.split(/\s+/).filter(Boolean);
  raw.forEach((token, i) => {
    const w = token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
    if (!w || w === 'I' || !/\p{Lu}/u.test(w)) return;
    const sentenceStart = i === 0 || /[.!?:;]["')\]]*$/.test(raw[i - 1]);
    if (/\p{Lu}/u.test(w.slice(1)) || !sentenceStart) names.add(w.toLowerCase());
  });
  return names;
}

/**
 * The values of a request as a sorted list (repeats kept). `names` are words to treat as names even
 * where written in lower case; sameValues passes the names of both requests, so "ClickUp" and
 * "clickup" are one value and "Acme" / "Globex" two.
 */
export function requestValues(text: string, names: Set<string> = nameWords(text)): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(QUOTED)) out.push(`"${(m[1] ?? m[2] ?? m[3] ?? m[4]).trim().replace(/\s+/g, ' ')}"`);
  for (const m of text.matchAll(EMAIL)) out.push(m[0].toLowerCase());
  for (const m of text.matchAll(URL_RE)) out.push(m[0]);
  const ws = words(text.replace(URL_RE, ' ').replace(EMAIL, ' '));
  ws.forEach((w, i) => {
    const lower = w.toLowerCase();
    const prev = ws[i - 1]?.toLowerCase();
    const next = ws[i + 1]?.toLowerCase();
    // "may" is a month next to a number or capitalised mid-sentence, a verb otherwise.
    const month = lower === 'may' && (/\d/.test(prev ?? '') || /\d/.test(next ?? '') || names.has('may'));
    if (TIMES.has(lower) || month) {
      out.push(prev !== undefined && MODIFIERS.has(prev) ? `${prev} ${lower}` : lower);
    } else if (MODIFIERS.has(lower) && next !== undefined && (TIMES.has(next) || next === 'may')) {
      // part of the next word's value
    } else if (/\p{N}/u.test(w)) {
      out.push(lower.replace(/(?<=\d),(?=\d{3}\b)/g, ''));
    } else if (/^[#@\p{Sc}]/u.test(w) || /.[_/\\:.]./.test(w) || NUMBERS.has(lower) || CURRENCIES.has(lower) || names.has(lower)) {
      out.push(lower);
    }
  });
  return out.sort();
}

export interface ValueDifference {
  same: boolean;
  /** Values only the first request holds, and only the second. */
  onlyA: string[];
  onlyB: string[];
}

/** Whether two requests hold the same values (as multisets; order is the word-level comparison's business). */
export function sameValues(a: string, b: string): ValueDifference {
  const names = new Set([...nameWords(a), ...nameWords(b)]);
  const left = requestValues(a, names);
  const right = requestValues(b, names);
  const rest = [...right];
  const onlyA: string[] = [];
  for (const v of left) {
    const at = rest.indexOf(v);
    if (at < 0) onlyA.push(v);
    else rest.splice(at, 1);
  }
  return { same: onlyA.length === 0 && rest.length === 0, onlyA, onlyB: rest };
}
