// Settings from the environment, checked once at startup so a misconfiguration fails loudly and early.
import path from 'node:path';

export interface TelegramConfig {
  token: string;
  /** Bot API base, without /bot<token>. */
  apiUrl: string;
  /** Chat used when a tool call names none ("send to our group"). */
  defaultChatId?: string;
  timeoutMs: number;
  maxRetries: number;
  /** Directories local files may be uploaded from (send_document / send_photo with file_path). */
  uploadDirs: string[];
  /** Never uploaded from, even inside uploadDirs: the hub's data directory (MCP_HUB_DATA_DIR). */
  deniedDirs: string[];
}

export class ConfigError extends Error {}

export const CHAT_ID_PATTERN = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$/;

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TelegramConfig {
  const token = env.TELEGRAM_BOT_TOKEN?.trim();
  if (!token) throw new ConfigError('TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather (/newbot) and put its token in TELEGRAM_BOT_TOKEN');
  const apiUrl = (env.TELEGRAM_API_URL?.trim() || 'https://api.telegram.org').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(apiUrl)) throw new ConfigError(`TELEGRAM_API_URL must be an http(s) URL, got "${apiUrl}"`);
  const defaultChatId = env.TELEGRAM_DEFAULT_CHAT_ID?.trim() || undefined;
  if (defaultChatId && !CHAT_ID_PATTERN.test(defaultChatId)) {
    throw new ConfigError(`TELEGRAM_DEFAULT_CHAT_ID must be a numeric chat id (groups are negative, e.g. -1001234567890) or @channelname, got "${defaultChatId}"`);
  }
  // No folder by default: a model picks file_path, so any readable file (the hub's config, its data
  // directory, keys) could otherwise be sent out. The hub's data directory is refused even when listed.
  const uploadDirs = (env.TELEGRAM_UPLOAD_DIRS?.trim() ? env.TELEGRAM_UPLOAD_DIRS.split(path.delimiter) : []).filter(Boolean).map((d) => path.resolve(d));
  const deniedDirs = env.MCP_HUB_DATA_DIR?.trim() ? [path.resolve(env.MCP_HUB_DATA_DIR.trim())] : [];
  return {
    token,
    apiUrl,
    defaultChatId,
    timeoutMs: positiveInt(env, 'TELEGRAM_TIMEOUT_MS', 15_000, 1),
    maxRetries: positiveInt(env, 'TELEGRAM_MAX_RETRIES', 3, 0),
    uploadDirs,
    deniedDirs,
  };
}
