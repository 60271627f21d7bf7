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

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(file, doc.errors.map((e) => `YAML syntax: ${e.message.split('\n')[0]}`));
  }
  let raw = doc.toJS() ?? {};
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
      message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    } else if (issue.code === 'invalid_key' && issue.issues[0]) {
      message = issue.issues[0].message;
    }
    const missing = [...missingAt].find(([p]) => p === where || p.startsWith(`${where}.`))?.[1];
    return `${where}: ${message}${missing ? ` (${missing.map((m) => `\${${m}}`).join(', ')} is not set)` : ''}`;
  });
}
