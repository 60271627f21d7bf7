// A stateful stand-in for the ClickUp REST API (v2, plus v3 "move task"), seeded with the Acme Ltd
// workspace. Point CLICKUP_API_URL at `url` and it replaces https://api.clickup.com/api/v2.
import { MockHttpServer, type ErrorShapes, type MockRequest } from '../lib/mock-http.js';
import { ClickUpState } from './state.js';
import { seedAcme } from './fixtures.js';
import { registerRoutes, V2 } from './routes.js';

export { ClickUpState } from './state.js';
export { ACME } from './fixtures.js';

export const DEFAULT_CLICKUP_TOKEN = 'pk_81000001_MOCKTOKEN0ACMELTD0CLICKUP0DEMO';
/** ClickUp's documented limit for Free/Unlimited/Business plans: 100 requests per minute per token. */
const RATE_LIMIT = 100;

const clickUpErrors: ErrorShapes = {
  rateLimited: (retryAfterSec) => ({
    status: 429,
    body: { err: 'Rate limit reached', ECODE: 'APP_002' },
    headers: {
      'retry-after': String(retryAfterSec),
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + retryAfterSec),
    },
  }),
  serverError: () => ({ status: 500, body: { err: 'Internal server error', ECODE: 'APP_001' } }),
  unauthorized: () => ({ status: 401, body: { err: 'Token invalid', ECODE: 'OAUTH_025' } }),
  notFound: () => ({ status: 404, body: { err: 'Route not found', ECODE: 'APP_404' } }),
};

export interface ClickUpMock {
  /** Base URL including /api/v2. */
  url: string;
  server: MockHttpServer;
  state: ClickUpState;
  token: string;
  close(): Promise<void>;
}

export async function startClickUpMock(options: { port?: number; host?: string; token?: string } = {}): Promise<ClickUpMock> {
  const token = options.token ?? DEFAULT_CLICKUP_TOKEN;
  const state = seedAcme(new ClickUpState());
  // Personal tokens go bare in Authorization; OAuth access tokens as "Bearer <token>". Accept both.
  const authorize = (req: MockRequest) => {
    const header = req.headers.authorization ?? '';
    return header === token || header === `Bearer ${token}`;
  };
  const server = new MockHttpServer(clickUpErrors, authorize);
  registerRoutes(server, state);
  const origin = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return { url: origin + V2, server, state, token, close: () => server.close() };
}
