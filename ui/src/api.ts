// The console's only way to the hub: the REST API under /api/v1, with the pasted token as a bearer token.
// A 401 anywhere sends the console back to the login page (see onUnauthorized).

const TOKEN_KEY = 'mcp-orchestrator.token';
export const API = '/api/v1';

export function getToken(): string {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setToken(token: string): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

/** An answer other than 2xx: the problem document's title and detail when the API sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

let unauthorized: (message: string) => void = () => undefined;
/** Called on every 401 with a message for the login page. */
export function onUnauthorized(handler: (message: string) => void): void {
  unauthorized = handler;
}

function headers(token: string, json: boolean): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json' };
  if (token) h.Authorization = `Bearer ${token}`;
  if (json) h['Content-Type'] = 'application/json';
  return h;
}

async function failure(response: Response): Promise<ApiError> {
  let title = response.statusText || `HTTP ${response.status}`;
  let detail: string | undefined;
  try {
    const body = await response.json();
    if (body && typeof body === 'object') {
      if (typeof body.title === 'string') title = body.title;
      if (typeof body.detail === 'string') detail = body.detail;
      else if (typeof body.error === 'string') detail = body.error;
    }
  } catch {
    /* not JSON */
  }
  return new ApiError(response.status, title, detail);
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  /** Use this token instead of the stored one (the login page checks a pasted token). */
  token?: string;
  /** Do not report a 401 to the login handler (the caller handles it). */
  quiet401?: boolean;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const token = options.token ?? getToken();
  const response = await fetch(API + path, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: headers(token, options.body !== undefined),
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  if (response.status === 401) {
    const error = await failure(response);
    if (!options.quiet401) unauthorized(token ? 'The token was not accepted (401). Paste a valid token.' : 'This hub needs a token. Paste one to continue.');
    throw error;
  }
  if (!response.ok) throw await failure(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => request<T>(path, { signal });
export const post = <T>(path: string, body: unknown = {}) => request<T>(path, { method: 'POST', body });
export const del = <T>(path: string) => request<T>(path, { method: 'DELETE' });

/** `?a=1&b=2` from the defined, non-empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const enc = encodeURIComponent;

/**
 * Reads a text/event-stream with fetch (EventSource cannot send an Authorization header) and calls
 * onEvent for each event. Resolves when the server ends the stream; rejects on a network or HTTP error.
 */
export async function stream(path: string, onEvent: (event: string, data: string) => void, signal: AbortSignal): Promise<void> {
  const token = getToken();
  const response = await fetch(API + path, { headers: { ...headers(token, false), Accept: 'text/event-stream' }, signal });
  if (response.status === 401) {
    unauthorized('The token was not accepted (401). Paste a valid token.');
    throw await failure(response);
  }
  if (!response.ok || !response.body) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  const line = (text: string) => {
    if (text === '') {
      if (data.length) onEvent(event, data.join('\n'));
      event = 'message';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let at: number;
    while ((at = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const crlf = buffer.startsWith('\r\n', at);
      line(buffer.slice(0, at));
      buffer = buffer.slice(at + (crlf ? 2 : 1));
    }
  }
  if (buffer) line(buffer);
  line('');
}

// ---- shapes of the API's answers (only the fields the console reads) ----

export interface Me {
  name: string;
  admin: boolean;
  orchestrate: boolean;
  workflows: boolean;
  tools: string[];
}

export interface Server {
  name: string;
  state: string;
  transport: string;
  protocol?: string;
  tools: number;
  restarts: number;
  error?: string;
  latencyMs?: number;
}

export interface Tool {
  name: string;
  server: string;
  description?: string;
  score?: number;
  annotations?: Record<string, unknown>;
}

export interface Usage {
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface RunSummary {
  id: string;
  task?: string;
  status: string;
  client?: string;
  trigger?: string;
  startedAt: string;
  endedAt?: string;
  ms?: number;
  steps: number;
  usage?: Usage;
}

export interface Step {
  id: string;
  tool?: string;
  status: string;
  args?: unknown;
  result?: unknown;
  error?: string;
  ms?: number;
  iterations?: number;
}

export interface Approval {
  steps: Array<{ step: string; tool: string; reason?: string }>;
  message?: string;
}

export interface Run {
  id: string;
  task?: string;
  status: string;
  client?: string;
  trigger?: string;
  planSource?: string;
  plan?: unknown;
  steps: Step[];
  summary?: string;
  error?: string;
  startedAt: string;
  endedAt?: string;
  ms?: number;
  usage?: Usage;
  approval?: Approval;
}

export interface WorkflowRunRef {
  id: string;
  status: string;
  trigger?: string;
  startedAt: string;
  endedAt?: string;
}

export interface Workflow {
  id: string;
  name: string;
  source: string;
  scheduleText?: string;
  schedule?: string;
  state: string;
  nextRuns?: string[];
  needsApproval?: string[];
  lastRun?: WorkflowRunRef;
  runs?: WorkflowRunRef[];
  problem?: string;
}

export interface MemoryEntry {
  id: string;
  kind: string;
  text: string;
  status?: string;
  startedAt?: string;
  similarity?: number;
}

export interface Conversation {
  id: string;
  owner?: string;
  created?: string;
  updated?: string;
  turns: number;
  title?: string;
}

export interface Bucket {
  start: string;
  calls: number;
  errors: number;
  avgMs: number;
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface AuditEntry {
  ts?: string;
  /** The audit file's name for ts. */
  time?: string;
  kind: string;
  client?: string;
  tool?: string;
  outcome: string;
  ms?: number;
  error?: string;
}

export const FINAL_STATUSES = new Set(['succeeded', 'failed', 'cancelled', 'planned']);
