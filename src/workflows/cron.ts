// Time arithmetic on cron expressions: the next runs (shown to the user when a workflow is created),
// the runs missed between two instants (catch-up), and the schedule in words.
// cron-parser computes from any instant (node-cron only from now), which catch-up needs; the config
// schema refuses the one construct where it and node-cron disagree (both day fields restricted).
// cronstrue turns cron into English; we add the time of day in 24h form and the timezone.
import { CronExpressionParser } from 'cron-parser';
import cronstrue from 'cronstrue';

/** The next `n` run times strictly after `from`. */
export function nextRuns(expression: string, timezone: string, n: number, from: Date = new Date()): Date[] {
  const it = CronExpressionParser.parse(expression, { tz: timezone, currentDate: from });
  return it.take(n).map((d) => d.toDate());
}

/** The first run strictly after `from`. */
export function nextRun(expression: string, timezone: string, from: Date): Date {
  return nextRuns(expression, timezone, 1, from)[0];
}

/** The latest run at or before `at`. */
export function previousRun(expression: string, timezone: string, at: Date): Date {
  // prev() is strict, so start one millisecond later to include `at` itself.
  const it = CronExpressionParser.parse(expression, { tz: timezone, currentDate: new Date(at.getTime() + 1) });
  return it.prev().toDate();
}

/** Runs due in (after, until]: how many, and the latest. Counting stops at `cap` (a 1-second schedule after a week away). */
export function missedRuns(expression: string, timezone: string, after: Date, until: Date, cap = 1000): { count: number; latest?: Date; capped: boolean } {
  const first = nextRun(expression, timezone, after);
  if (first > until) return { count: 0, capped: false };
  const latest = previousRun(expression, timezone, until);
  const it = CronExpressionParser.parse(expression, { tz: timezone, currentDate: after, endDate: until });
  let count = 0;
  while (count < cap && it.hasNext()) {
    it.next();
    count++;
  }
  return { count, latest, capped: count >= cap && it.hasNext() };
}

/** "At 09:00, only on Monday (Europe/London)". */
export function describeSchedule(expression: string, timezone: string): string {
  let words: string;
  try {
    words = cronstrue.toString(expression, { use24HourTimeFormat: true, verbose: false });
  } catch {
    words = expression;
  }
  return `${words} (${timezone})`;
}

export function systemTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
