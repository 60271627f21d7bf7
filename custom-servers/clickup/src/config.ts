// Reads the server's settings from the environment; a missing token or a bad number is a startup error.

export interface ClickUpConfig {
  token: string;
  /** ClickUp API v2 base, e.g. https://api.clickup.com/api/v2. */
  baseUrl: string;
  /** API v3 base, for the few endpoints v2 lacks (moving a task to another list). */
  v3BaseUrl: string;
  timeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
}

export class ConfigError extends Error {}

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ClickUpConfig {
  const token = env.CLICKUP_API_TOKEN?.trim();
  if (!token) {
    throw new ConfigError(
      'CLICKUP_API_TOKEN is not set. Create a personal API token in ClickUp (avatar > Settings > Apps > API Token; ' +
        'it starts with pk_) and pass it in the environment, e.g. env: {CLICKUP_API_TOKEN: "${CLICKUP_API_TOKEN}"} in the hub config.',
    );
  }
  const baseUrl = (env.CLICKUP_API_URL?.trim() || 'https://api.clickup.com/api/v2').replace(/\/+$/, '');
  const v3BaseUrl = env.CLICKUP_API_V3_URL?.trim() || baseUrl.replace(/\/v2$/, '/v3');
  if (v3BaseUrl === baseUrl) throw new ConfigError('CLICKUP_API_URL does not end in /v2; set CLICKUP_API_V3_URL too');
  return {
    token,
    baseUrl,
    v3BaseUrl: v3BaseUrl.replace(/\/+$/, ''),
    timeoutMs: intEnv(env, 'CLICKUP_TIMEOUT_MS', 15_000, 1),
    maxRetries: intEnv(env, 'CLICKUP_MAX_RETRIES', 3, 0),
    retryBaseMs: intEnv(env, 'CLICKUP_RETRY_BASE_MS', 500, 0),
  };
}
