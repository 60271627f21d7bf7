// startTelegramMock: the Bot API at /bot<token>/<method> over MockHttpServer, with Telegram's envelope
// ({"ok":true,"result":...} / {"ok":false,"error_code":...,"description":...}) and fault modes.
import { MockHttpServer, type ErrorShapes, type MockRequest } from '../lib/mock-http.js';
import { BotApiError, methods } from './methods.js';
import { Params } from './params.js';
import { DEFAULT_TOKEN } from './seed.js';
import { TelegramState } from './state.js';

export interface TelegramMockOptions {
  port?: number;
  host?: string;
  /** The one token the mock accepts; any other gets 401 Unauthorized. */
  token?: string;
}

export interface TelegramMock {
  /** Base URL to use instead of https://api.telegram.org (TELEGRAM_API_URL). */
  url: string;
  token: string;
  server: MockHttpServer;
  state: TelegramState;
  close(): Promise<void>;
}

const failure = (code: number, description: string, extra: Record<string, unknown> = {}) => ({
  status: code,
  body: { ok: false, error_code: code, description, ...extra },
});

// Telegram puts the retry hint in the body (parameters.retry_after), not in a Retry-After header.
const shapes: ErrorShapes = {
  rateLimited: (retryAfterSec) => failure(429, `Too Many Requests: retry after ${retryAfterSec}`, { parameters: { retry_after: retryAfterSec } }),
  serverError: () => failure(500, 'Internal Server Error'),
  unauthorized: () => failure(401, 'Unauthorized'),
  notFound: () => failure(404, 'Not Found'),
};

const BOT_PATH = /^\/bot([^/]+)\/([A-Za-z]+)\/?$/;

export async function startTelegramMock(options: TelegramMockOptions = {}): Promise<TelegramMock> {
  const token = options.token ?? DEFAULT_TOKEN;
  const state = new TelegramState();
  // Paths that are not /bot<token>/<method> fall through to 404 like the real API; a wrong token is 401.
  const authorize = (req: MockRequest) => {
    const m = BOT_PATH.exec(req.path);
    return !m || decodeURIComponent(m[1]) === token;
  };
  const server = new MockHttpServer(shapes, authorize);
  const handler = async (req: MockRequest) => {
    const m = BOT_PATH.exec(req.path);
    const method = m && methods[m[2].toLowerCase()];
    if (!method) return shapes.notFound(req.method, req.path);
    try {
      const result = await method(await Params.from(req), state);
      return { body: { ok: true, result } };
    } catch (err) {
      if (err instanceof BotApiError) return failure(err.code, err.description);
      throw err;
    }
  };
  server.route('GET', '/:bot/:method', handler).route('POST', '/:bot/:method', handler);
  const url = await server.listen(options.port ?? 0, options.host);
  return { url, token, server, state, close: () => server.close() };
}
