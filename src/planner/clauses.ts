// Splits a request into its clauses, one retrieval query each, so every step of the task finds its
// tools: "Create a task for the unpaid invoices from Xero, and send a summary to Telegram" gives
// "Create a task for the unpaid invoices from Xero" and "send a summary to Telegram". A purpose
// phrase ("for following up on the unpaid invoices from Xero") is a query of its own too, since it
// often names data another tool must fetch first, and the action before it is one too, so the data
// words ("invoices") cannot crowd the action's tool out of the clause's results.

const CLAUSE_BREAK = /(?:[.;!?]+\s+|\n+|,\s*(?:and\s+|then\s+|and\s+then\s+)?|\s+(?:and\s+then|then|and|after\s+that|afterwards|also)\s+)/i;
const PURPOSE = /\s(?:for|about|regarding|on|from|of)\s+(.{12,})$/i;
const LEADING_CONNECTOR = /^(?:(?:and|then|also|after\s+that|afterwards)\s+)+/i;
const MIN_WORDS = 2;

/** Each clause of a task with its action and purpose halves (none when it has no purpose phrase). */
function clauseParts(task: string): Array<{ clause: string; halves: string[] }> {
  const seen: string[] = [];
  const clean = (text: string): string | undefined => {
    const c = text.replace(/^[\s,.;:]+|[\s,.;:!?]+$/g, '').replace(LEADING_CONNECTOR, '');
    if (c.split(/\s+/).length < MIN_WORDS || seen.includes(c.toLowerCase())) return undefined;
    seen.push(c.toLowerCase());
    return c;
  };
  const parts: Array<{ clause: string; halves: string[] }> = [];
  for (const raw of task.split(CLAUSE_BREAK)) {
    if (!raw) continue;
    const clause = clean(raw);
    const purpose = PURPOSE.exec(raw);
    // Both halves on their own: the action ("Create a ClickUp task") and the data it is about.
    const halves = purpose ? [clean(raw.slice(0, purpose.index)), clean(purpose[1])].filter((h): h is string => !!h) : [];
    if (clause) parts.push({ clause, halves });
    else if (halves.length) parts.push({ clause: halves[0], halves: halves.slice(1) });
  }
  const whole = clean(task);
  if (!parts.length && whole) parts.push({ clause: whole, halves: [] });
  return parts;
}

export function splitClauses(task: string): string[] {
  return clauseParts(task).flatMap((p) => [p.clause, ...p.halves]);
}

/** The retrieval queries for a task: the whole task (for tools that serve all of it) and each clause. */
export function retrievalQueries(task: string): string[] {
  const clauses = splitClauses(task);
  const whole = task.trim();
  return clauses.length === 1 && clauses[0] === whole ? clauses : [whole, ...clauses];
}

/**
 * One query per step of the task: each clause, or its two halves when it has a purpose phrase. A clause
 * that was split is left out: its hits repeat the halves' and add tools that match only their mix of
 * words. (The planner searches the whole task on its own, in each app the task names.)
 */
export function stepQueries(task: string): string[] {
  const queries = clauseParts(task).flatMap((p) => (p.halves.length >= 2 ? p.halves : [p.clause]));
  return queries.length ? queries : [task.trim()];
}
