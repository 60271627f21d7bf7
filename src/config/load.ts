// Reads orchestrator.config.yaml (or a pasted Claude Desktop / Cursor JSON file), interpolates
// ${VAR} / ${VAR:-default} from the environment, validates it and says exactly what is wrong.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { ZodError } from 'zod';
import { registerConfiguredValue } from '../log/redact.js';
import { ConfigSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'orchestrator.config.yaml';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  file: string;
  /** Directory of the config file: relative paths (cwd, dataDir) resolve against it. */
  baseDir: string;
  config: Config;
  /** Servers skipped because variables they need are unset: name -> the variables. */
  notConfigured: Record<string, string[]>;
}

export function resolveConfigPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(explicit ?? env.ORCHESTRATOR_CONFIG ?? DEFAULT_CONFIG_FILE);
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  if (!existsSync(file)) {
    throw new ConfigError(file, [
      `file not found. Create it (see README, "Configuration"), pass --config PATH, or set ORCHESTRATOR_CONFIG.`,
    ]);
  }
  return parseConfig(readFileSync(file, 'utf8'), file, env);
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** A `.json` file is read as strict JSON (Claude Desktop / Cursor files); anything else as YAML. */
function parseText(text: string, file: string): unknown {
  if (path.extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new ConfigError(file, [`JSON syntax: ${jsonProblem(text, (err as Error).message)}`]);
    }
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    // The whole message: its first line says what, the rest shows where (the line and a caret).
    throw new ConfigError(file, doc.errors.map((e) => `YAML syntax: ${e.message.trimEnd().replace(/\n/g, '\n    ')}`));
  }
  return doc.toJS();
}

/** JSON.parse's message with the line and column of its position, and a hint for the usual slips. */
function jsonProblem(text: string, message: string): string {
  const clean = message.replace(/\s*\(line \d+ column \d+\)$/, '');
  const at = /at position (\d+)/.exec(message);
  if (!at) return clean;
  const position = Number(at[1]);
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  const rest = text.slice(position).trimStart();
  const prev = before.trimEnd().at(-1);
  const hint = prev === ',' && (rest.startsWith('}') || rest.startsWith(']')) ? ' (a trailing comma: JSON allows none; remove it, or use a .yaml file)' : '';
  const source = text.split('\n')[line - 1] ?? '';
  return `${clean.replace(/ in JSON at position \d+/, '')} at line ${line}, column ${column}${hint}\n      ${source}\n      ${' '.repeat(Math.max(0, column - 1))}^`;
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let raw = (parseText(text, file) ?? {}) as any;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, ['(top level): expected a mapping of keys such as `servers:`']);
  }
  raw = { ...raw };
  if (raw.mcpServers !== undefined) {
    if (raw.servers !== undefined) throw new ConfigError(file, ['mcpServers: use either `servers` or its alias `mcpServers`, not both']);
    raw.servers = raw.mcpServers;
    delete raw.mcpServers;
  }

  // Interpolate. A server that needs an unset variable is skipped as "not configured"; an unset
  // variable anywhere else becomes "" and is named in the error if that makes the value invalid.
  const notConfigured: Record<string, string[]> = {};
  const missingAt = new Map<string, string[]>();
  const interpolated = interpolate(raw, [], env, (p, name) => {
    if (p[0] === 'servers' && typeof p[1] === 'string') (notConfigured[p[1]] ??= []).includes(name) || notConfigured[p[1]].push(name);
    else missingAt.set(p.join('.'), [...(missingAt.get(p.join('.')) ?? []), name]);
  }) as Record<string, unknown>;
  if (interpolated.servers && typeof interpolated.servers === 'object') {
    const servers = { ...(interpolated.servers as Record<string, unknown>) };
    for (const name of Object.keys(notConfigured)) delete servers[name];
    interpolated.servers = servers;
  }

  const result = ConfigSchema.safeParse(interpolated);
  if (!result.success) throw new ConfigError(file, formatIssues(result.error, missingAt));
  const config = result.data;

  for (const server of Object.values(config.servers)) {
    for (const [key, value] of [...Object.entries(server.env), ...Object.entries(server.headers)]) registerConfiguredValue(key, value);
  }
  return { file, baseDir: path.dirname(file), config, notConfigured };
}

function interpolate(value: unknown, at: Array<string | number>, env: NodeJS.ProcessEnv, onMissing: (p: Array<string | number>, name: string) => void): unknown {
  if (typeof value === 'string') {
    return value.replace(VAR, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      onMissing(at, name);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, [...at, i], env, onMissing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, [...at, k], env, onMissing)]));
  }
  return value;
}

function formatIssues(error: ZodError, missingAt: Map<string, string[]>): string[] {
  return error.issues.map((issue) => {
    const where = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(ConfigSchema, issue.path);
      message = issue.keys
        .map((k) => {
          const close = didYouMean(k, known);
          return `unknown key "${k}"${close ? `; did you mean "${close}"?` : ''}`;
        })
        .join('; ');
      if (known.length && !issue.keys.some((k) => didYouMean(k, known))) message += ` (known here: ${known.join(', ')})`;
    } else if (issue.code === 'invalid_key' && issue.issues[0]) {
      message = issue.issues[0].message;
    }
    const missing = [...missingAt].find(([p]) => p === where || p.startsWith(`${where}.`))?.[1];
    return `${where}: ${message}${missing ? ` (${missing.map((m) => `\${${m}}`).join(', ')} is not set)` : ''}`;
  });
}

/** The keys a mapping at `at` may hold, found by walking the zod schema (wrappers, records, pipes). */
export function knownKeys(schema: unknown, at: ReadonlyArray<PropertyKey>): string[] {
  let node = unwrap(schema);
  for (const key of at) {
    const def = defOf(node);
    if (!def) return [];
    if (def.type === 'object') node = unwrap((def.shape as Record<string, unknown>)[String(key)]);
    else if (def.type === 'record') node = unwrap(def.valueType);
    else if (def.type === 'array') node = unwrap(def.element);
    else return [];
  }
  const def = defOf(node);
  return def?.type === 'object' ? Object.keys(def.shape as object) : [];
}

type Def = { type: string; [k: string]: unknown };
const defOf = (schema: unknown): Def | undefined => (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;

function unwrap(schema: unknown): unknown {
  for (let i = 0; i < 20; i++) {
    const def = defOf(schema);
    if (!def) return schema;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'prefault' || def.type === 'nullable' || def.type === 'readonly' || def.type === 'catch') schema = def.innerType;
    else if (def.type === 'pipe') schema = defOf(def.in)?.type === 'transform' ? def.out : def.in;
    else if (def.type === 'lazy') schema = (def.getter as () => unknown)();
    else if (def.type === 'union') schema = (def.options as unknown[]).find((o) => defOf(unwrap(o))?.type === 'object') ?? schema;
    else return schema;
    if (defOf(schema)?.type === 'union') continue;
  }
  return schema;
}

/** The known key closest to `key` (case, a typo or two, a missing or extra letter), if any is close enough. */
export function didYouMean(key: string, known: string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = name.toLowerCase() === lower ? 0 : distance(lower, name.toLowerCase());
    if (!best || d < best.d) best = { name, d };
  }
  if (!best) return undefined;
  return best.d <= Math.max(1, Math.floor(Math.min(key.length, best.name.length) / 3)) ? best.name : undefined;
}

/** Edit distance where swapping two neighbouring letters counts as one edit (optimal string alignment). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
