// The last line of defence for a serving hub: an exception nobody caught (a bug in a callback, a timer,
// a library's event) or a rejected promise nobody awaited would otherwise end the process, and with it
// every client's session and every call in flight. The causes are fixed where they are found; this
// reports what slipped through (stderr, redacted: never stdout, the protocol channel in stdio mode) and
// keeps serving.
import { redactText } from '../log/redact.js';

/** At most this many reports per minute: a fault in a hot path must not flood the log. */
const REPORTS_PER_MINUTE = 20;

let installed = false;
let windowStart = 0;
let reported = 0;
let suppressed = 0;

function report(kind: string, error: unknown): void {
  try {
    const now = Date.now();
    if (now - windowStart > 60_000) {
      if (suppressed) process.stderr.write(`last-resort: ${suppressed} more report(s) suppressed in the last minute\n`);
      windowStart = now;
      reported = 0;
      suppressed = 0;
    }
    if (++reported > REPORTS_PER_MINUTE) {
      suppressed++;
      return;
    }
    const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
    // Cut: a message can carry request data of any size.
    const line = JSON.stringify({ level: 'error', component: 'last-resort', message: `${kind}; the hub keeps serving`, error: redactText(text).slice(0, 4000), timestamp: new Date(now).toISOString() });
    process.stderr.write(`${line}\n`);
  } catch {
    // Reporting must never throw from here: that would re-enter this handler.
  }
}

/** Installs the handlers once per process (both transports call it). */
export function installLastResort(): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtException', (err) => report('uncaught exception', err));
  process.on('unhandledRejection', (reason) => report('unhandled promise rejection', reason));
}
