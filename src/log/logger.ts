// One winston logger for the whole hub. Everything goes to stderr (stdout is the MCP protocol channel
// in stdio mode) and optionally to a file, as JSON lines, with secrets redacted.
import winston from 'winston';
import { redact, redactText } from './redact.js';

export type Logger = winston.Logger;

// Redaction also bounds depth (see redact), so the JSON formats below cannot overflow the stack on a
// hostile value. A field that still cannot be copied (a throwing getter) is replaced, never thrown:
// logging must not take down the call that logs.
const redactFormat = winston.format((info) => {
  const fields = info as Record<string, unknown>;
  for (const key of Object.keys(info)) {
    if (key === 'level') continue;
    try {
      fields[key] = redact(fields[key]);
    } catch {
      fields[key] = '[unloggable value]';
    }
  }
  if (typeof info.message === 'string') info.message = redactText(info.message);
  return info;
});

const format = winston.format.combine(winston.format.timestamp(), redactFormat(), winston.format.json());

// A person at a terminal reads lines; everything else (files, pipes, CI) gets JSON.
const human = winston.format.combine(
  redactFormat(),
  winston.format.printf(({ level, message, component, server, timestamp: _t, ...rest }) => {
    let meta = '';
    try {
      if (Object.keys(rest).length) meta = ` ${JSON.stringify(rest)}`;
    } catch {
      meta = ' [unloggable fields]';
    }
    return `${level} [${[component, server].filter(Boolean).join('/')}] ${message}${meta}`;
  }),
);

export const logger: Logger = winston.createLogger({
  level: process.env.ORCHESTRATOR_LOG_LEVEL ?? 'info',
  format,
  transports: [
    new winston.transports.Console({
      format: process.stderr.isTTY ? human : format,
      // Every level to stderr: nothing may reach stdout.
      stderrLevels: Object.keys(winston.config.npm.levels),
    }),
  ],
});

if (process.env.ORCHESTRATOR_LOG_FILE) addLogFile(process.env.ORCHESTRATOR_LOG_FILE);

export function addLogFile(path: string): void {
  logger.add(new winston.transports.File({ filename: path, maxsize: 10 * 1024 * 1024, maxFiles: 3, tailable: true }));
}

export function setLogLevel(level: string): void {
  logger.level = level;
}

/** Quiets the console (file logging keeps its level), for CLI commands whose own output is the point. */
export function setConsoleLevel(level: string): void {
  for (const t of logger.transports) if (t instanceof winston.transports.Console) t.level = level;
}

export function childLogger(component: string, meta: Record<string, unknown> = {}): Logger {
  return logger.child({ component, ...meta });
}
