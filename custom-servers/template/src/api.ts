// The wrapped REST API, one function per endpoint the tools use. The example is a JSONPlaceholder-style
// "posts" resource (GET /posts, POST /posts); replace the types and paths with your API's.
import { RestClient } from '../../lib/rest.js';

export interface Post {
  id: number;
  userId: number;
  title: string;
  body: string;
}

export interface ApiConfig {
  baseUrl: string;
  token?: string;
  timeoutMs?: number;
}

export function createApi(config: ApiConfig) {
  const rest = new RestClient({
    baseUrl: config.baseUrl,
    headers: config.token ? { authorization: `Bearer ${config.token}` } : {},
    timeoutMs: config.timeoutMs ?? 15_000,
    // Most JSON APIs put their message in one of these; adjust to yours.
    messageFromBody: (body) => {
      const b = body as { message?: unknown; error?: unknown } | undefined;
      const message = b?.message ?? b?.error;
      return typeof message === 'string' ? message : undefined;
    },
  });
  return {
    listPosts: (query: { userId?: number; limit: number }) =>
      rest.request<Post[]>('GET', '/posts', { query: { userId: query.userId, _limit: query.limit } }),
    createPost: (post: Omit<Post, 'id'>) => rest.request<Post>('POST', '/posts', { body: post }),
  };
}

export type Api = ReturnType<typeof createApi>;
