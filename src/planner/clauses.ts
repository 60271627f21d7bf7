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

export function splitClauses(task: string): string[] {
  const out: string[] = [];
  const add = (text: string) => {
    const clean = text.replace(/^[\s,.;:]+|[\s,.;:!?]+$/g, '').replace(LEADING_CONNECTOR, '');
    if (clean.split(/\s+/).length >= MIN_WORDS && !out.some((o) => o.toLowerCase() === clean.toLowerCase())) out.push(clean);
  };
  for (const clause of task.split(CLAUSE_BREAK)) {
    if (!clause) continue;
    add(clause);
    const purpose = PURPOSE.exec(clause);
    if (purpose) {
      // Both halves on their own: the action ("Create a ClickUp task") and the data it is about.
      add(clause.slice(0, purpose.index));
      add(purpose[1]);
    }
  }
  if (!out.length) add(task);
  return out;
}

/** The retrieval queries for a task: the whole task (for tools that serve all of it) and each clause. */
export function retrievalQueries(task: string): string[] {
  const clauses = splitClauses(task);
  const whole = task.trim();
  return clauses.length === 1 && clauses[0] === whole ? clauses : [whole, ...clauses];
}
