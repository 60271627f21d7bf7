// What every tool shares: the chat id parameter and its default, the compact message shape tools return,
// and the conversion of results and failures into MCP tool results.
import { z } from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CHAT_ID_PATTERN, type TelegramConfig } from '../config.js';
import { TelegramClient, TelegramError } from '../client.js';

export interface ToolContext {
  config: TelegramConfig;
  client: TelegramClient;
}

export const chatIdInput = z
  .union([z.number().int(), z.string().regex(CHAT_ID_PATTERN, 'a numeric chat id or @channelname')])
  .optional()
  .describe(
    'Target chat: numeric id (groups are negative, e.g. -1001234567890; a user\'s private chat id is their user id) or "@channelname". ' +
      'Ids come from get_recent_messages / get_updates (chat_id of each message). Omit to use TELEGRAM_DEFAULT_CHAT_ID.',
  );

export const messageIdInput = (what: string) => z.number().int().positive().describe(`Id of the ${what}, unique within its chat; from send_message results or get_recent_messages.`);

export const parseModeInput = z
  .enum(['MarkdownV2', 'Markdown', 'HTML'])
  .optional()
  .describe('Formatting of the text: HTML (<b>, <i>, <a href>, <code>, <pre>; escape < > & as &lt; &gt; &amp;), MarkdownV2 (escape _*[]()~`>#+-=|{}.! with \\), or legacy Markdown. Omit for plain text.');

export const silentInput = z.boolean().optional().describe('Deliver without a notification sound.');

export class ToolInputError extends Error {}

/** The chat a call is about: the one given, else the configured default, else a clear error. */
export function resolveChatId(given: string | number | undefined, config: TelegramConfig, param = 'chat_id'): string | number {
  if (given !== undefined) return given;
  if (config.defaultChatId) return /^-?\d+$/.test(config.defaultChatId) ? Number(config.defaultChatId) : config.defaultChatId;
  throw new ToolInputError(`${param} is required: pass ${param} (e.g. -1001234567890 for a group or @channelname), or set TELEGRAM_DEFAULT_CHAT_ID for the server`);
}

// The Bot API objects as the tools read them (only the fields used).
export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
}
export interface TgChat {
  id: number;
  type: string;
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
}
export interface TgMessage {
  message_id: number;
  from?: TgUser;
  chat: TgChat;
  date: number;
  edit_date?: number;
  text?: string;
  caption?: string;
  reply_to_message?: { message_id: number };
  forward_origin?: { type: string; sender_user?: TgUser; sender_chat?: TgChat; chat?: TgChat };
  document?: { file_id: string; file_name?: string; mime_type?: string; file_size?: number };
  photo?: Array<{ file_id: string; width: number; height: number; file_size?: number }>;
}

export const userName = (u: TgUser) => [u.first_name, u.last_name].filter(Boolean).join(' ') + (u.username ? ` (@${u.username})` : '');
export const chatName = (c: TgChat) => c.title ?? ([c.first_name, c.last_name].filter(Boolean).join(' ') || (c.username ? `@${c.username}` : String(c.id)));

export const messageOutput = z.object({
  message_id: z.number(),
  chat_id: z.number(),
  chat: z.string().describe('Chat title or person name'),
  date: z.string().describe('ISO 8601'),
  edited: z.string().optional(),
  from: z.string().optional().describe('Sender name (@username)'),
  from_id: z.number().optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  reply_to_message_id: z.number().optional(),
  forwarded_from: z.string().optional(),
  document: z.object({ file_id: z.string(), file_name: z.string().optional(), mime_type: z.string().optional(), file_size: z.number().optional() }).optional(),
  photo: z.object({ file_id: z.string(), width: z.number(), height: z.number(), file_size: z.number().optional() }).optional().describe('Largest size'),
});
export type MessageSummary = z.infer<typeof messageOutput>;

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export function summarize(m: TgMessage): MessageSummary {
  const origin = m.forward_origin;
  const forwardedFrom = origin && (origin.sender_user ? userName(origin.sender_user) : origin.sender_chat ? chatName(origin.sender_chat) : origin.chat ? chatName(origin.chat) : 'hidden user');
  const photo = m.photo?.at(-1);
  const summary: MessageSummary = {
    message_id: m.message_id,
    chat_id: m.chat.id,
    chat: chatName(m.chat),
    date: iso(m.date),
    edited: m.edit_date ? iso(m.edit_date) : undefined,
    from: m.from ? userName(m.from) : undefined,
    from_id: m.from?.id,
    text: m.text,
    caption: m.caption,
    reply_to_message_id: m.reply_to_message?.message_id,
    forwarded_from: forwardedFrom,
    document: m.document && { file_id: m.document.file_id, file_name: m.document.file_name, mime_type: m.document.mime_type, file_size: m.document.file_size },
    photo: photo && { file_id: photo.file_id, width: photo.width, height: photo.height, file_size: photo.file_size },
  };
  // Undefined keys would survive as nulls in some clients; drop them.
  return Object.fromEntries(Object.entries(summary).filter(([, v]) => v !== undefined)) as MessageSummary;
}

/** One line per message, for the text part of a result. */
export function messageLine(m: MessageSummary): string {
  const body = m.text ?? m.caption ?? (m.document ? `[document ${m.document.file_name ?? ''}]` : m.photo ? '[photo]' : '[no text]');
  const short = body.length > 200 ? body.slice(0, 200) + '…' : body;
  return `#${m.message_id} ${m.date.slice(0, 16).replace('T', ' ')} ${m.from ?? m.chat}: ${short}`;
}

export function ok(text: string, structuredContent?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], ...(structuredContent ? { structuredContent } : {}) };
}

/** A failure as an MCP tool error: Telegram's description plus the hint, never an exception. */
export function failure(err: unknown, client?: TelegramClient): CallToolResult {
  let text: string;
  if (err instanceof TelegramError) {
    const where = err.code ? `Telegram error ${err.code}: ` : 'Telegram request failed: ';
    text = where + err.description + (err.hint ? `\nHint: ${err.hint}` : '');
  } else if (err instanceof ToolInputError) text = err.message;
  else text = `Unexpected error: ${(err as Error)?.message ?? String(err)}`;
  return { isError: true, content: [{ type: 'text', text: client ? client.redact(text) : text }] };
}

/** Wraps a handler so any throw becomes an isError result. */
export function guarded<A>(ctx: ToolContext, handler: (args: A) => Promise<CallToolResult>): (args: A) => Promise<CallToolResult> {
  return async (args: A) => {
    try {
      return await handler(args);
    } catch (err) {
      return failure(err, ctx.client);
    }
  };
}
