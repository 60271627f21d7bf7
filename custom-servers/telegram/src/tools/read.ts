// Read-only tools: the bot's identity, what it has seen, and facts about chats.
import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { updateKind, updateMessage, type UpdateFeed } from '../feed.js';
import {
  chatIdInput, chatName, guarded, messageLine, messageOutput, ok, resolveChatId, summarize, userName,
  type TgChat, type TgMessage, type TgUser, type ToolContext,
} from './common.js';

const readOnly = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true };

interface TgChatMember {
  status: string;
  user: TgUser;
  custom_title?: string;
  is_anonymous?: boolean;
  can_delete_messages?: boolean;
  can_pin_messages?: boolean;
  can_restrict_members?: boolean;
  can_promote_members?: boolean;
  can_change_info?: boolean;
  can_invite_users?: boolean;
}

export function registerReadTools(server: McpServer, ctx: ToolContext, feed: UpdateFeed): void {
  const { client, config } = ctx;

  server.registerTool(
    'get_me',
    {
      title: 'Get bot info',
      description: 'Who the bot is: its user id, name and @username, and whether it can join groups and read all group messages. Also a quick check that TELEGRAM_BOT_TOKEN works.',
      inputSchema: {},
      outputSchema: {
        id: z.number(),
        first_name: z.string(),
        username: z.string(),
        can_join_groups: z.boolean().optional(),
        can_read_all_group_messages: z.boolean().optional().describe('false = privacy mode: in groups where it is not admin the bot sees only commands, mentions and replies'),
        supports_inline_queries: z.boolean().optional(),
      },
      annotations: readOnly,
    },
    guarded(ctx, async () => {
      const me = await client.call<TgUser & Record<string, unknown>>('getMe');
      const data = {
        id: me.id,
        first_name: me.first_name,
        username: me.username ?? '',
        can_join_groups: me.can_join_groups as boolean | undefined,
        can_read_all_group_messages: me.can_read_all_group_messages as boolean | undefined,
        supports_inline_queries: me.supports_inline_queries as boolean | undefined,
      };
      return ok(`Bot ${userName(me)}, id ${me.id}.`, data);
    }),
  );

  server.registerTool(
    'get_recent_messages',
    {
      title: 'Get recent messages',
      description:
        'Recent messages the bot has received in a chat, oldest first: text, sender, message_id (for reply, forward, pin, delete) and chat_id. ' +
        'The bot sees group messages only when it is admin or privacy mode is off (otherwise just commands, mentions and replies to it); ' +
        'it never sees its own messages here. chat_id defaults to TELEGRAM_DEFAULT_CHAT_ID; all_chats=true lists every chat, which is how to discover chat ids.',
      inputSchema: {
        chat_id: chatIdInput,
        all_chats: z.boolean().optional().describe('List messages from every chat instead of one.'),
        limit: z.number().int().min(1).max(100).optional().describe('How many of the most recent messages to return (default 20).'),
      },
      outputSchema: { messages: z.array(messageOutput), chats: z.array(z.object({ chat_id: z.number(), chat: z.string(), type: z.string() })).describe('Chats these messages come from') },
      annotations: readOnly,
    },
    guarded(ctx, async (args) => {
      const chatId = args.all_chats ? undefined : String(resolveChatId(args.chat_id, config));
      await feed.sync();
      const matches = feed
        .updates()
        .map(updateMessage)
        .filter((m): m is TgMessage => !!m && (chatId === undefined || String(m.chat.id) === chatId || (m.chat.username !== undefined && `@${m.chat.username}` === chatId)));
      const messages = matches.slice(-(args.limit ?? 20)).map(summarize);
      const chats = [...new Map(matches.map((m) => [m.chat.id, { chat_id: m.chat.id, chat: chatName(m.chat), type: m.chat.type }])).values()];
      const scope = chatId === undefined ? 'all chats' : `chat ${chatId}`;
      const text = messages.length ? `${messages.length} recent message(s) in ${scope}:\n${messages.map(messageLine).join('\n')}` : `No messages seen in ${scope} yet.`;
      return ok(text, { messages, chats });
    }),
  );

  server.registerTool(
    'get_updates',
    {
      title: 'Get updates',
      description:
        'Raw feed of what the bot received (new and edited messages, channel posts, ...), each with its update_id, oldest first. ' +
        'Pass after_update_id (the last update_id you saw) to get only newer ones. The server confirms fetched updates to Telegram and keeps the last 1000.',
      inputSchema: {
        after_update_id: z.number().int().optional().describe('Return only updates with a larger update_id.'),
        limit: z.number().int().min(1).max(100).optional().describe('Most updates to return (default 50), the oldest first after after_update_id.'),
      },
      outputSchema: {
        updates: z.array(z.object({ update_id: z.number(), type: z.string(), message: messageOutput.optional() })),
        last_update_id: z.number().optional().describe('Pass as after_update_id next time'),
      },
      annotations: readOnly,
    },
    guarded(ctx, async (args) => {
      await feed.sync();
      const after = args.after_update_id ?? -Infinity;
      const updates = feed
        .updates()
        .filter((u) => u.update_id > after)
        .slice(0, args.limit ?? 50)
        .map((u) => {
          const m = updateMessage(u);
          return { update_id: u.update_id, type: updateKind(u), ...(m ? { message: summarize(m) } : {}) };
        });
      const last = updates.at(-1)?.update_id;
      const lines = updates.map((u) => `${u.update_id} ${u.type}${u.message ? ' ' + messageLine(u.message) : ''}`);
      return ok(updates.length ? `${updates.length} update(s):\n${lines.join('\n')}` : 'No new updates.', { updates, ...(last !== undefined ? { last_update_id: last } : {}) });
    }),
  );

  server.registerTool(
    'get_chat',
    {
      title: 'Get chat',
      description: 'Details of a chat: type, title or name, @username, description or bio, invite link and pinned message. chat_id defaults to TELEGRAM_DEFAULT_CHAT_ID.',
      inputSchema: { chat_id: chatIdInput },
      outputSchema: {
        id: z.number(),
        type: z.enum(['private', 'group', 'supergroup', 'channel']),
        title: z.string().optional(),
        username: z.string().optional(),
        name: z.string().describe('Title for groups and channels, first and last name for private chats'),
        description: z.string().optional(),
        bio: z.string().optional(),
        invite_link: z.string().optional(),
        pinned_message: messageOutput.optional(),
      },
      annotations: readOnly,
    },
    guarded(ctx, async (args) => {
      const chat = await client.call<TgChat & { description?: string; bio?: string; invite_link?: string; pinned_message?: TgMessage }>('getChat', { chat_id: resolveChatId(args.chat_id, config) });
      const data = Object.fromEntries(
        Object.entries({
          id: chat.id,
          type: chat.type,
          title: chat.title,
          username: chat.username,
          name: chatName(chat),
          description: chat.description,
          bio: chat.bio,
          invite_link: chat.invite_link,
          pinned_message: chat.pinned_message && summarize(chat.pinned_message),
        }).filter(([, v]) => v !== undefined),
      );
      const lines = [`${chatName(chat)}: ${chat.type}, id ${chat.id}${chat.username ? `, @${chat.username}` : ''}`];
      if (chat.description) lines.push(`Description: ${chat.description}`);
      if (chat.pinned_message) lines.push(`Pinned: ${messageLine(summarize(chat.pinned_message))}`);
      return ok(lines.join('\n'), data);
    }),
  );

  server.registerTool(
    'get_chat_administrators',
    {
      title: 'List chat administrators',
      description: 'The owner and administrators of a group or channel (bots included) with their titles and key rights. Not available for private chats. chat_id defaults to TELEGRAM_DEFAULT_CHAT_ID.',
      inputSchema: { chat_id: chatIdInput },
      outputSchema: {
        administrators: z.array(
          z.object({
            user_id: z.number(),
            name: z.string(),
            username: z.string().optional(),
            is_bot: z.boolean(),
            status: z.enum(['creator', 'administrator']),
            custom_title: z.string().optional(),
            rights: z.array(z.string()).describe('Granted rights, e.g. can_pin_messages; the creator has all'),
          }),
        ),
      },
      annotations: readOnly,
    },
    guarded(ctx, async (args) => {
      const members = await client.call<TgChatMember[]>('getChatAdministrators', { chat_id: resolveChatId(args.chat_id, config) });
      const administrators = members.map((m) => ({
        user_id: m.user.id,
        name: [m.user.first_name, m.user.last_name].filter(Boolean).join(' '),
        ...(m.user.username ? { username: m.user.username } : {}),
        is_bot: m.user.is_bot,
        status: m.status === 'creator' ? ('creator' as const) : ('administrator' as const),
        ...(m.custom_title ? { custom_title: m.custom_title } : {}),
        rights: Object.entries(m).filter(([k, v]) => k.startsWith('can_') && v === true).map(([k]) => k),
      }));
      const lines = administrators.map((a) => `- ${a.name}${a.username ? ` (@${a.username})` : ''}: ${a.status}${a.custom_title ? `, "${a.custom_title}"` : ''}${a.is_bot ? ', bot' : ''}`);
      return ok(`${administrators.length} administrator(s):\n${lines.join('\n')}`, { administrators });
    }),
  );

  server.registerTool(
    'get_chat_member_count',
    {
      title: 'Count chat members',
      description: 'Number of members in a chat (bots included). chat_id defaults to TELEGRAM_DEFAULT_CHAT_ID.',
      inputSchema: { chat_id: chatIdInput },
      outputSchema: { chat_id: z.union([z.number(), z.string()]), count: z.number().int() },
      annotations: readOnly,
    },
    guarded(ctx, async (args) => {
      const chatId = resolveChatId(args.chat_id, config);
      const count = await client.call<number>('getChatMemberCount', { chat_id: chatId });
      return ok(`Chat ${chatId} has ${count} members.`, { chat_id: chatId, count });
    }),
  );
}
