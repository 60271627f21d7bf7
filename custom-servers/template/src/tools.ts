// The tools: one read, one write. Each has an input schema, an output schema (so clients get checked
// structuredContent), annotations (the hub asks for consent before destructive tools) and errors as
// isError results with hints.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Api } from './api.js';
import { toolError } from './errors.js';

const post = z.object({ id: z.number(), userId: z.number(), title: z.string(), body: z.string() });

export function createServer(api: Api): McpServer {
  const server = new McpServer({ name: 'template', version: '0.1.0' });

  server.registerTool(
    'list_posts',
    {
      title: 'List posts',
      description: 'List posts, optionally only those of one user. Returns the id, userId, title and body of each.',
      inputSchema: {
        userId: z.number().int().positive().optional().describe('Only posts written by this user id'),
        limit: z.number().int().min(1).max(100).default(20).describe('At most this many posts (1-100, default 20)'),
      },
      outputSchema: { posts: z.array(post), count: z.number() },
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async ({ userId, limit }) => {
      try {
        const posts = await api.listPosts({ userId, limit });
        const lines = posts.map((p) => `#${p.id} (user ${p.userId}): ${p.title}`);
        return {
          content: [{ type: 'text', text: posts.length ? `${posts.length} posts:\n${lines.join('\n')}` : 'No posts found.' }],
          structuredContent: { posts, count: posts.length },
        };
      } catch (err) {
        return toolError('list posts', err);
      }
    },
  );

  server.registerTool(
    'create_post',
    {
      title: 'Create post',
      description: 'Create a post for a user. Returns the created post with its new id.',
      inputSchema: {
        userId: z.number().int().positive().describe('Author user id'),
        title: z.string().min(1).max(200).describe('Post title'),
        body: z.string().min(1).describe('Post text'),
      },
      outputSchema: { post },
      // Creates data but deletes or overwrites nothing; calling twice makes two posts.
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async ({ userId, title, body }) => {
      try {
        const created = await api.createPost({ userId, title, body });
        return {
          content: [{ type: 'text', text: `Created post #${created.id}: ${created.title}` }],
          structuredContent: { post: created },
        };
      } catch (err) {
        return toolError('create the post', err);
      }
    },
  );

  return server;
}
