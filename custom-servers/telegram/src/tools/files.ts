// send_document and send_photo: one implementation, the file given as a URL, a local path or a file_id.
import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { readLocalFile } from '../upload.js';
import {
  chatIdInput, guarded, messageIdInput, messageOutput, ok, parseModeInput, resolveChatId, silentInput, summarize, ToolInputError,
  type TgMessage, type ToolContext,
} from './common.js';

const CAPTION_LIMIT = 1024;

export function registerFileTools(server: McpServer, ctx: ToolContext): void {
  registerSend(server, ctx, 'document', 'sendDocument', {
    title: 'Send document',
    description:
      'Send a file (PDF, spreadsheet, CSV, any type up to 50 MB) to a chat as a document, with an optional caption. Give exactly one of: url ' +
      '(public http(s) link Telegram downloads itself), file_path (local file on the server\'s machine, uploaded; must be inside TELEGRAM_UPLOAD_DIRS) ' +
      'or file_id (a file already on Telegram). chat_id defaults to TELEGRAM_DEFAULT_CHAT_ID.',
  });
  registerSend(server, ctx, 'photo', 'sendPhoto', {
    title: 'Send photo',
    description:
      'Send an image (JPEG, PNG, GIF, WebP up to 10 MB) to a chat as a photo, shown inline and compressed by Telegram, with an optional caption. ' +
      'Give exactly one of: url (public http(s) image link), file_path (local image inside TELEGRAM_UPLOAD_DIRS, uploaded) or file_id. ' +
      'chat_id defaults to TELEGRAM_DEFAULT_CHAT_ID. Use send_document to send an image uncompressed.',
  });
}

function registerSend(server: McpServer, ctx: ToolContext, kind: 'document' | 'photo', method: string, meta: { title: string; description: string }): void {
  server.registerTool(
    `send_${kind}`,
    {
      ...meta,
      inputSchema: {
        chat_id: chatIdInput,
        url: z.url({ protocol: /^https?$/ }).optional().describe(`Public http(s) URL of the ${kind}.`),
        file_path: z.string().min(1).optional().describe(`Path of a local ${kind} to upload (absolute, or relative to the server's working directory).`),
        file_id: z.string().min(1).optional().describe('file_id of a file Telegram already has (from an earlier send_document / send_photo result).'),
        caption: z.string().max(CAPTION_LIMIT).optional().describe(`Caption, at most ${CAPTION_LIMIT} characters.`),
        parse_mode: parseModeInput,
        reply_to_message_id: messageIdInput('message to reply to').optional(),
        silent: silentInput,
      },
      outputSchema: { message: messageOutput },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    guarded(ctx, async (args) => {
      const sources = [args.url, args.file_path, args.file_id].filter((s) => s !== undefined);
      if (sources.length !== 1) throw new ToolInputError(`give exactly one of url, file_path or file_id (got ${sources.length})`);
      const params: Record<string, unknown> = {
        chat_id: resolveChatId(args.chat_id, ctx.config),
        caption: args.caption,
        parse_mode: args.caption ? args.parse_mode : undefined,
        reply_parameters: args.reply_to_message_id ? { message_id: args.reply_to_message_id } : undefined,
        disable_notification: args.silent,
      };
      let body: Record<string, unknown> | FormData;
      if (args.file_path) {
        const file = await readLocalFile(args.file_path, kind, ctx.config.uploadDirs, ctx.config.deniedDirs);
        body = toForm(params);
        body.set(kind, file.blob, file.name);
      } else body = { ...params, [kind]: args.url ?? args.file_id };
      const message = summarize(await ctx.client.call<TgMessage>(method, body));
      const name = message.document?.file_name ? ` ${message.document.file_name}` : '';
      return ok(`Sent ${kind}${name} as message ${message.message_id} to ${message.chat} (${message.chat_id}).`, { message });
    }),
  );
}

/** Multipart fields are strings; objects travel JSON-serialised, as the Bot API expects. */
function toForm(params: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    form.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return form;
}
