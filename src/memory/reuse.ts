// Whether a remembered plan fits a new, near-identical request, and the plan adapted to it. The two
// requests are compared word by word. Differences in filler words ("please", "the", a polite "could
// you"), punctuation, case or inflection change nothing; negations, pronouns ("me" / "us": who is
// meant), a number's sign and other small words that carry meaning do, also beside an inflected word
// ("transactions over" / "transaction under"). A
// changed value ("list 123" -> "list 456", "#sales" -> "#ops", "Acme" -> "Globex") is swapped into
// the plan's literal values when it appears there, and only there. Anything else (an added or dropped
// word, a changed ordinary word, a value the plan does not show literally or that reaches a tool name
// or an expression) makes it a different request as far as reuse goes: the caller plans afresh, with
// the old run as an example. Memory reuses a plan only when nothing needs swapping (and the values of
// the two requests are the same: values.ts); a changed value is planned afresh.
import type { Plan } from '../planner/plan.js';
import { term, words } from '../routing/text.js';

export interface Substitution {
  from: string;
  to: string;
}

export type ReuseDecision = { ok: true; plan: Plan; substitutions: Substitution[] } | { ok: false; reason: string };

/**
 * Words of a request as written, with surrounding punctuation trimmed ("ClickUp," -> "ClickUp";
 * "2024-05-01" stays whole). A sign written against a number stays: "-500" is not "500".
 */
export function tokens(text: string): string[] {
  return text
    .split(/\s+/)
    .map((t) => t.replace(/^(?:(?![-+\u2212]\p{N})[^\p{L}\p{N}#@$])+|[^\p{L}\p{N}]+$/gu, ''))
    .filter(Boolean);
}

interface Hunk {
  from: string[];
  to: string[];
}

/** Runs of differing tokens between two token lists (longest common subsequence, case-insensitive). */
export function diffTokens(a: string[], b: string[]): Hunk[] {
  const eq = (x: string, y: string) => x.toLowerCase() === y.toLowerCase();
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = eq(a[i], b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const hunks: Hunk[] = [];
  let cur: Hunk | undefined;
  let i = 0;
  let j = 0;
  const flush = () => {
    if (cur) hunks.push(cur);
    cur = undefined;
  };
  while (i < n || j < m) {
    if (i < n && j < m && eq(a[i], b[j])) {
      flush();
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      (cur ??= { from: [], to: [] }).to.push(b[j++]);
    } else {
      (cur ??= { from: [], to: [] }).from.push(a[i++]);
    }
  }
  flush();
  return hunks;
}

// Words whose addition or removal does not change what is asked. Unlike the search stop words, this
// leaves out "not", "no", "only", "before", "until" and the like, and pronouns: "send me" and "send
// us", "my tasks" and "our tasks" ask for different things. A pronoun is filler only in a frame that
// names no one new: a polite "could you", or "show me" / "tell us" (the answer goes to the caller anyway).
const FILLER = new Set('a an the please kindly just also now for hey hi thanks thank pls'.split(' '));
const MODALS = new Set('can could would will'.split(' '));
const TO_CALLER = new Set('show tell'.split(' '));

/** Positions of the pronouns in frames that ask nothing of their own ("could you", "show me"). */
function politeFrame(ts: string[]): Set<number> {
  const at = new Set<number>();
  ts.forEach((t, i) => {
    const next = (ts[i + 1] ?? '').toLowerCase();
    if (MODALS.has(t.toLowerCase()) && (next === 'you' || next === 'u')) at.add(i).add(i + 1);
    if (TO_CALLER.has(t.toLowerCase()) && (next === 'me' || next === 'us')) at.add(i + 1);
  });
  return at;
}

/** A word's comparison form: its stem, or the word itself where the search drops it ("not", "over", "to"). */
const stemOf = (word: string) => term(word) ?? word;

/** The words of a run of tokens that carry meaning, stemmed, in order; a token with a digit stays whole ("-500", "$1,000"). */
const meaningful = (ts: string[]) =>
  ts
    .map((t) => t.toLowerCase())
    .filter((t) => !FILLER.has(t))
    .flatMap((t) => (/\p{N}/u.test(t) ? [t] : words(t).map(stemOf)));

/**
 * Whether a difference between two requests changes nothing: filler words only, or the same words
 * but for inflection (invoice / invoices). Every other word counts, the search's stop words included,
 * so "transactions over" / "transaction under" is a change.
 */
function immaterial(h: Hunk): boolean {
  return meaningful(h.from).join(' ') === meaningful(h.to).join(' ');
}

/**
 * Whether changed words are a value (an id, a number, a date, a channel, an address, a name) rather
 * than ordinary words: swapping "Acme" for "Globex" keeps the plan's meaning, swapping "unpaid" for
 * "overdue" may not, even where the word shows in a literal (a task title), so that is left to planning.
 */
function valueLike(ws: string[], firstWord: string | undefined): boolean {
  return ws.some((w) => /[\d#@/.:_]/.test(w) || (/\p{Lu}/u.test(w.slice(1)) || (/^\p{Lu}/u.test(w) && w !== firstWord)));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const phrase = (ws: string[]) => new RegExp(`(?<![\\p{L}\\p{N}])${ws.map(escape).join('\\s+')}(?![\\p{L}\\p{N}])`, 'giu');

type Visit = (text: string, literal: boolean) => string;

/** Rewrites every string of a plan, telling literals (values, prompts, template text) from code (tool names, ids, expressions). */
function mapStrings(plan: Plan, visit: Visit): Plan {
  const value = (v: unknown): unknown => {
    if (typeof v === 'string') return visit(v, true);
    if (Array.isArray(v)) return v.map(value);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.$expr === 'string' && Object.keys(o).length === 1) return { $expr: visit(o.$expr, false) };
      if (typeof o.$template === 'string' && Object.keys(o).length === 1) {
        // Text outside {{ }} is literal; inside is an expression.
        return { $template: o.$template.split(/(\{\{[\s\S]*?\}\})/).map((part) => visit(part, !part.startsWith('{{'))).join('') };
      }
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, value(x)]));
    }
    return v;
  };
  return {
    ...plan,
    ...(plan.goal !== undefined ? { goal: visit(plan.goal, true) } : {}),
    steps: plan.steps.map((step) => {
      const s = { ...step } as Record<string, unknown>;
      s.id = visit(step.id, false);
      if (step.description !== undefined) s.description = visit(step.description, true);
      if ('tool' in step) {
        s.tool = visit(step.tool, false);
        s.args = value(step.args);
        if (step.forEach !== undefined) s.forEach = visit(step.forEach, false);
      } else {
        s.prompt = visit(step.prompt, true);
        if (step.inputs) s.inputs = value(step.inputs);
      }
      return s as Plan['steps'][number];
    }),
  };
}

/** The remembered plan adapted to the new request, or why it cannot be. */
export function adaptPlan(plan: Plan, pastTask: string, task: string): ReuseDecision {
  const past = tokens(pastTask);
  const next = tokens(task);
  const pastFrame = politeFrame(past);
  const nextFrame = politeFrame(next);
  const hunks = diffTokens(
    past.filter((_, i) => !pastFrame.has(i)),
    next.filter((_, i) => !nextFrame.has(i)),
  ).filter((h) => !immaterial(h));
  const substitutions: Substitution[] = [];
  for (const h of hunks) {
    if (!h.from.length || !h.to.length) {
      return { ok: false, reason: `the request ${h.to.length ? `adds "${h.to.join(' ')}"` : `drops "${h.from.join(' ')}"`}` };
    }
    const re = phrase(h.from);
    const from = h.from.join(' ');
    if ((pastTask.match(re) ?? []).length > 1) return { ok: false, reason: `"${from}" occurs more than once in the earlier request` };
    let inLiteral = false;
    let inCode = false;
    mapStrings(plan, (text, literal) => {
      re.lastIndex = 0;
      if (re.test(text)) {
        if (literal) inLiteral = true;
        else inCode = true;
      }
      return text;
    });
    if (inCode) return { ok: false, reason: `"${from}" is part of a tool name or an expression` };
    if (!valueLike(h.from, past[0]) || !valueLike(h.to, next[0])) return { ok: false, reason: `"${from}" -> "${h.to.join(' ')}" changes a word, not a literal value` };
    if (!inLiteral) return { ok: false, reason: `"${from}" -> "${h.to.join(' ')}" changes something the plan does not show literally` };
    substitutions.push({ from, to: h.to.join(' ') });
  }
  let adapted = plan;
  for (const { from, to } of substitutions) {
    const re = phrase(tokens(from));
    adapted = mapStrings(adapted, (text, literal) => (literal ? text.replace(re, () => to) : text));
  }
  return { ok: true, plan: adapted, substitutions };
}

/** A request with the given literal phrases replaced by one placeholder, so two requests can be compared apart from their literals. */
export function maskPhrases(text: string, phrases: string[]): string {
  let out = text;
  for (const p of phrases) out = out.replace(phrase(tokens(p)), 'VALUE');
  return out;
}
