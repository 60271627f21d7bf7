// The Bot API over the shared RestClient: unwraps Telegram's {"ok","result"} envelope and turns every
// failure into a TelegramError that carries Telegram's own description, a hint at the fix, and never
// the token (which is part of every Bot API URL).
import { ApiError, RestClient } from '../../lib/rest.js';
import type { TelegramConfig } from './config.js';

export class TelegramError extends Error {
  constructor(
    /** Telegram's error_code (HTTP status); 0 when no answer came back. */
    readonly code: number,
    readonly description: string,
    readonly hint?: string,
  ) {
    super(hint ? `${description} (${hint})` : description);
    this.name = 'TelegramError';
  }
}

interface Envelope<T> {
  ok: boolean;
  result?: T;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

const isEnvelope = (body: unknown): body is Envelope<unknown> => typeof body === 'object' && body !== null && 'ok' in body;

export class TelegramClient {
  private readonly rest: RestClient;

  constructor(private readonly config: TelegramConfig) {
    this.rest = new RestClient({
      baseUrl: `${config.apiUrl}/bot${config.token}`,
      timeoutMs: config.timeoutMs,
      maxRetries: config.maxRetries,
      retryAfterFromBody: (body) => {
        const seconds = isEnvelope(body) ? body.parameters?.retry_after : undefined;
        return typeof seconds === 'number' ? seconds * 1000 : undefined;
      },
      messageFromBody: (body) => (isEnvelope(body) ? body.description : undefined),
    });
  }

  /** Calls one Bot API method with a JSON body, or a FormData body for uploads. */
  async call<T>(method: string, params: Record<string, unknown> | FormData = {}): Promise<T> {
    let envelope: unknown;
    try {
      envelope = await this.rest.request('POST', `/${method}`, { body: params });
    } catch (err) {
      throw this.toTelegramError(err);
    }
    if (!isEnvelope(envelope)) throw new TelegramError(0, 'the Bot API answered with an unexpected body', 'check that TELEGRAM_API_URL points at the Bot API');
    if (!envelope.ok) throw this.fromEnvelope(envelope);
    return envelope.result as T;
  }

  /** Removes the token from any text that might leave the process. */
  redact(text: string): string {
    const token = this.config.token;
    return text.split(token).join('<TELEGRAM_BOT_TOKEN>').split(encodeURIComponent(token)).join('<TELEGRAM_BOT_TOKEN>');
  }

  private fromEnvelope(body: Envelope<unknown>, retryAfterMs?: number): TelegramError {
    const code = body.error_code ?? 0;
    const description = this.redact(body.description ?? `error ${code}`);
    const retryAfter = body.parameters?.retry_after ?? (retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000));
    return new TelegramError(code, description, hintFor(code, description, { retryAfter, migrateTo: body.parameters?.migrate_to_chat_id, config: this.config }));
  }

  private toTelegramError(err: unknown): TelegramError {
    if (!(err instanceof ApiError)) return new TelegramError(0, this.redact(String((err as Error)?.message ?? err)));
    if (isEnvelope(err.body) && !err.body.ok) return this.fromEnvelope(err.body, err.retryAfterMs);
    if (err.status === 0) {
      const timedOut = /timed out/.test(err.message);
      return timedOut
        ? new TelegramError(0, `Telegram did not answer within ${this.config.timeoutMs} ms`, 'the Bot API is slow or unreachable; try again, or raise TELEGRAM_TIMEOUT_MS')
        : new TelegramError(0, `could not reach the Bot API: ${this.redact(err.message)}`, `check the network and TELEGRAM_API_URL (${this.config.apiUrl})`);
    }
    if (err.status === 200) return new TelegramError(200, 'the Bot API answered with malformed JSON', 'a proxy or a wrong TELEGRAM_API_URL may be answering instead of Telegram; try again');
    return new TelegramError(err.status, this.redact(err.message.replace(/^\S+ \S+: /, '')), err.status >= 500 ? 'Telegram had a server error; try again later' : undefined);
  }
}

interface HintContext {
  retryAfter?: number;
  migrateTo?: number;
  config: TelegramConfig;
}

/** What to do about an error, keyed on Telegram's code and description. */
export function hintFor(code: number, description: string, ctx: HintContext): string | undefined {
  const d = description.toLowerCase();
  if (code === 401) return 'token rejected: check TELEGRAM_BOT_TOKEN (BotFather /token shows the current one)';
  if (code === 404) return 'the Bot API does not know this bot or method: check TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL';
  if (code === 429) return `rate limited by Telegram: retry after ${ctx.retryAfter ?? '?'} s`;
  if (code === 409) return 'another consumer (a webhook or a second poller) is reading this bot\'s updates; only one may';
  if (code >= 500) return 'Telegram had a server error; try again later';
  if (ctx.migrateTo !== undefined) return `the group was upgraded to a supergroup: use chat_id ${ctx.migrateTo} (and update TELEGRAM_DEFAULT_CHAT_ID)`;
  if (d.includes('chat not found')) {
    const fallback = ctx.config.defaultChatId ? ` (TELEGRAM_DEFAULT_CHAT_ID is ${ctx.config.defaultChatId})` : '';
    return `add the bot to the group, or have the user start a chat with it, then check the chat id${fallback}; group ids are negative, supergroups start with -100`;
  }
  if (d.includes('bot was kicked') || d.includes('not a member')) return 'the bot is not in this chat: add it back to the group';
  if (d.includes('bot was blocked')) return 'the user blocked the bot; they must unblock it first';
  if (d.includes("can't initiate conversation")) return 'the user must open the bot in Telegram and press Start before it can message them';
  if (d.includes('not enough rights')) return 'make the bot a group admin with the needed right (Pin messages / Delete messages)';
  if (d.includes("message can't be deleted")) return 'bots can delete their own messages within 48 h, and others\' only as admins with the Delete messages right';
  if (d.includes("message can't be edited")) return 'bots can edit only their own messages';
  if (d.includes('not modified')) return 'the new text is the same as the current text; nothing to change';
  if (d.includes('not found') && d.includes('message')) return 'check message_id: ids are per chat; take them from send_message results or get_recent_messages';
  if (d.includes("can't parse entities")) return 'fix the markup for parse_mode (MarkdownV2 needs a backslash before any of _*[]()~`>#+-=|{}.!) or send without parse_mode';
  if (d.includes('too long')) return 'shorten the text: 4096 characters per message, 1024 per caption';
  if (d.includes('wrong file identifier') || d.includes('failed to get http url')) return 'use a public http(s) URL Telegram can download, or a local file_path instead';
  if (d.includes('image_process_failed')) return 'the file is not an image Telegram can process; send it with send_document instead';
  if (code === 413) return 'the file is too large: 50 MB for documents, 10 MB for photos';
  return undefined;
}
