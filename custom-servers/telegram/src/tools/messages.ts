// Tools that write messages: send (split when long), edit, delete, forward, pin, unpin.
import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { splitMessage, TEXT_LIMIT } from '../split.js';
import {
  chatIdInput, failure, guarded, messageIdInput, messageOutput, ok, parseModeInput, resolveChatId, silentInput, summarize,
  type TgMessage, type ToolContext,
} from './common.js';

/** Longest text send_message accepts: 16 messages' worth, enough for a report, short of flooding a chat. */
export const MAX_SEND_LENGTH = 16 * TEXT_LIMIT;

export function registerMessageTools(server: McpServer, ctx: ToolContext): void {
  const { client, config } = ctx;

  server.registerTool(
    'send_message',
    {
      title: 'Send message',
      description:
        'Send a text message to a Telegram chat (group, channel or private chat) as the bot. Text longer than 4096 characters is split into ' +
        'several messages at paragraph, line or word boundaries (formatting kept intact) and all their message ids are returned. ' +
        'chat_id is optional when TELEGRAM_DEFAULT_CHAT_ID is set. Use parse_mode for bold/links/code, reply_to_message_id to reply, silent to skip the notification.',
      inputSchema: {
        chat_id: chatIdInput,
        text: z.string().min(1).max(MAX_SEND_LENGTH).describe(`Message text, up to ${MAX_SEND_LENGTH} characters (sent as several messages above 4096).`),
        parse_mode: parseModeInput,
        reply_to_message_id: messageIdInput('message to reply to (in the same chat)').optional(),
        silent: silentInput,
        disable_link_preview: z.boolean().optional().describe('Do not show a preview for links in the text.'),
      },
      outputSchema: {
        chat_id: z.number(),
        message_ids: z.array(z.number()).describe('One per message sent, in order'),
        parts: z.number().describe('How many messages the text was split into'),
        messages: z.array(messageOutput),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    guarded(ctx, async (args) => {
      const chatId = resolveChatId(args.chat_id, config);
      const parts = splitMessage(args.text, args.parse_mode);
      const sent: TgMessage[] = [];
      for (const [i, part] of parts.entries()) {
        try {
          sent.push(
            await client.call<TgMessage>('sendMessage', {
              chat_id: chatId,
              text: part,
              parse_mode: args.parse_mode,
              // Only the first part replies; the rest follow it.
              reply_parameters: i === 0 && args.reply_to_message_id ? { message_id: args.reply_to_message_id } : undefined,
              disable_notification: args.silent,
              link_preview_options: args.disable_link_preview ? { is_disabled: true } : undefined,
            }),
          );
        } catch (err) {
          if (sent.length === 0) throw err;
          // Some parts went out: say which, so the caller neither resends them nor loses track.
          const result = failure(err, client);
          const first = result.content[0] as { type: 'text'; text: string };
          first.text = `Sent ${sent.length} of ${parts.length} parts (message ids ${sent.map((m) => m.message_id).join(', ')}), then part ${i + 1} failed. ${first.text}`;
          return result;
        }
      }
      const messages = sent.map(summarize);
      const ids = messages.map((m) => m.message_id);
      const where = `${messages[0].chat} (${messages[0].chat_id})`;
      const text = parts.length === 1 ? `Sent message ${ids[0]} to ${where}.` : `Sent ${parts.length} messages to ${where} (text over 4096 characters was split): ids ${ids.join(', ')}.`;
      return ok(text, { chat_id: messages[0].chat_id, message_ids: ids, parts: parts.length, messages });
    }),
  );

  server.registerTool(
    'edit_message_text',
    {
      title: 'Edit message text',
      description:
        'Replace the text of a message the bot sent earlier (bots can edit only their own messages; the old text is lost). Needs the message_id from send_message ' +
        'or get_recent_messages and its chat (chat_id, default TELEGRAM_DEFAULT_CHAT_ID). The new text must differ from the current one.',
      inputSchema: {
        chat_id: chatIdInput,
        message_id: messageIdInput('bot message to edit'),
        text: z.string().min(1).max(TEXT_LIMIT).describe('New text, at most 4096 characters.'),
        parse_mode: parseModeInput,
      },
      outputSchema: { message: messageOutput },
      // Destructive: the previous text is gone for everyone and cannot be restored.
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    },
    guarded(ctx, async (args) => {
      const message = summarize(
        await client.call<TgMessage>('editMessageText', { chat_id: resolveChatId(args.chat_id, config), message_id: args.message_id, text: args.text, parse_mode: args.parse_mode }),
      );
      return ok(`Edited message ${message.message_id} in ${message.chat}.`, { message });
    }),
  );

  server.registerTool(
    'delete_message',
    {
      title: 'Delete message',
      description:
        'Delete a message for everyone in the chat. Permanent. The bot can delete its own messages (within 48 hours) and, as a group admin with ' +
        'the Delete messages right, other members\' messages. Needs message_id (from send_message or get_recent_messages) and chat_id (default TELEGRAM_DEFAULT_CHAT_ID).',
      inputSchema: { chat_id: chatIdInput, message_id: messageIdInput('message to delete') },
      outputSchema: { chat_id: z.union([z.number(), z.string()]), message_id: z.number(), deleted: z.boolean() },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    },
    guarded(ctx, async (args) => {
      const chatId = resolveChatId(args.chat_id, config);
      await client.call<boolean>('deleteMessage', { chat_id: chatId, message_id: args.message_id });
      return ok(`Deleted message ${args.message_id} from chat ${chatId}.`, { chat_id: chatId, message_id: args.message_id, deleted: true });
    }),
  );

  server.registerTool(
    'forward_message',
    {
      title: 'Forward message',
      description:
        'Forward a message (text, photo or document, with its "Forwarded from" header) from one chat to another. from_chat_id and message_id ' +
        'identify the original (see get_recent_messages); chat_id is the destination. Either chat defaults to TELEGRAM_DEFAULT_CHAT_ID.',
      inputSchema: {
        chat_id: chatIdInput,
        from_chat_id: chatIdInput.describe('Chat the original message is in; omit to use TELEGRAM_DEFAULT_CHAT_ID.'),
        message_id: messageIdInput('message to forward, in from_chat_id'),
        silent: silentInput,
      },
      outputSchema: { message: messageOutput },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    guarded(ctx, async (args) => {
      const message = summarize(
        await client.call<TgMessage>('forwardMessage', {
          chat_id: resolveChatId(args.chat_id, config),
          from_chat_id: resolveChatId(args.from_chat_id, config, 'from_chat_id'),
          message_id: args.message_id,
          disable_notification: args.silent,
        }),
      );
      return ok(`Forwarded as message ${message.message_id} to ${message.chat} (${message.chat_id}).`, { message });
    }),
  );

  server.registerTool(
    'pin_message',
    {
      title: 'Pin message',
      description:
        'Pin a message at the top of a chat (in groups the bot must be an admin with the Pin messages right). Needs message_id and chat_id ' +
        '(default TELEGRAM_DEFAULT_CHAT_ID). silent pins without notifying members.',
      inputSchema: { chat_id: chatIdInput, message_id: messageIdInput('message to pin'), silent: silentInput },
      outputSchema: { chat_id: z.union([z.number(), z.string()]), message_id: z.number(), pinned: z.boolean() },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    guarded(ctx, async (args) => {
      const chatId = resolveChatId(args.chat_id, config);
      await client.call<boolean>('pinChatMessage', { chat_id: chatId, message_id: args.message_id, disable_notification: args.silent });
      return ok(`Pinned message ${args.message_id} in chat ${chatId}.`, { chat_id: chatId, message_id: args.message_id, pinned: true });
    }),
  );

  server.registerTool(
    'unpin_message',
    {
      title: 'Unpin message',
      description:
        'Unpin a pinned message (the message itself stays). Give message_id, or omit it to unpin the most recently pinned message. ' +
        'chat_id defaults to TELEGRAM_DEFAULT_CHAT_ID; in groups the bot must be an admin with the Pin messages right.',
      inputSchema: { chat_id: chatIdInput, message_id: messageIdInput('pinned message to unpin').optional() },
      outputSchema: { chat_id: z.union([z.number(), z.string()]), message_id: z.number().optional(), pinned: z.boolean() },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    guarded(ctx, async (args) => {
      const chatId = resolveChatId(args.chat_id, config);
      await client.call<boolean>('unpinChatMessage', { chat_id: chatId, message_id: args.message_id });
      const which = args.message_id ? `message ${args.message_id}` : 'the most recently pinned message';
      return ok(`Unpinned ${which} in chat ${chatId}.`, { chat_id: chatId, ...(args.message_id ? { message_id: args.message_id } : {}), pinned: false });
    }),
  );
}
