// Realistic starting data: a finance team's supergroup the bot administers, a private chat, a group
// that removed the bot, and the updates a bot would have pending after a morning of chatter.
import type { BotUser, ChatMember, Message, Update, User } from './types.js';
import type { ChatRecord } from './state.js';

export const DEFAULT_TOKEN = '7123456789:AAHfQ3mockTokenForTestsOnly_x9Zk2LpQwE';

export const TEAM_CHAT_ID = -1001234567890;
export const FORMER_CHAT_ID = -1005555555555;

export const bot: BotUser = {
  id: 7123456789,
  is_bot: true,
  first_name: 'Acme Finance Bot',
  username: 'acme_finance_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
};

/** The bot as it appears in `from` and member lists: a plain User, without getMe's capability flags. */
export const botUser: User = { id: bot.id, is_bot: true, first_name: bot.first_name, username: bot.username };

export const users = {
  alice: { id: 111111111, is_bot: false, first_name: 'Alice', last_name: 'Martin', username: 'alice_martin', language_code: 'en' },
  bob: { id: 222222222, is_bot: false, first_name: 'Bob', last_name: 'Chen', username: 'bobchen', language_code: 'en' },
  carol: { id: 333333333, is_bot: false, first_name: 'Carol', last_name: 'Diaz', username: 'carol_d', language_code: 'es' },
  dan: { id: 444444444, is_bot: false, first_name: 'Dan', last_name: 'Okafor', language_code: 'en' },
} satisfies Record<string, User>;

const adminRights = {
  can_be_edited: false,
  can_manage_chat: true,
  can_delete_messages: true,
  can_manage_video_chats: true,
  can_restrict_members: true,
  can_promote_members: false,
  can_change_info: true,
  can_invite_users: true,
  can_post_stories: false,
  can_edit_stories: false,
  can_delete_stories: false,
  can_pin_messages: true,
  can_manage_topics: false,
};

/** Seconds since the epoch, `minutesAgo` before `now`. */
const at = (now: number, minutesAgo: number) => now - minutesAgo * 60;

export function seedChats(now: number): ChatRecord[] {
  const team = { id: TEAM_CHAT_ID, type: 'supergroup' as const, title: 'Acme Finance Team' };
  const teamMembers: ChatMember[] = [
    { status: 'creator', user: users.alice, is_anonymous: false, custom_title: 'CFO' },
    { status: 'administrator', user: users.bob, is_anonymous: false, ...adminRights, can_be_edited: false },
    { status: 'administrator', user: botUser, is_anonymous: false, ...adminRights, can_restrict_members: false },
    { status: 'member', user: users.carol },
    { status: 'member', user: users.dan },
  ];
  const m = (message_id: number, from: User, minutesAgo: number, text: string, extra: Partial<Message> = {}): Message => ({
    message_id,
    from,
    chat: team,
    date: at(now, minutesAgo),
    text,
    ...extra,
  });
  const teamMessages: Message[] = [
    m(101, users.alice, 95, 'Morning team! Month-end close starts today. Please get expense reports in by Thursday.'),
    m(102, users.bob, 90, 'The Q3 invoices for Globex are drafted, 14 in total. Need one more approver.'),
    m(103, users.carol, 62, '@acme_finance_bot what is the status of invoice INV-0042?', {
      entities: [{ type: 'mention', offset: 0, length: 17 }],
    }),
    m(104, users.dan, 40, 'Globex paid INV-0039 this morning, bank feed should show it by noon.'),
    m(105, users.bob, 12, '/report@acme_finance_bot', { entities: [{ type: 'bot_command', offset: 0, length: 24 }] }),
  ];
  teamMessages[3].reply_to_message = { ...teamMessages[1] };

  const aliceChat = { id: users.alice.id, type: 'private' as const, first_name: 'Alice', last_name: 'Martin', username: 'alice_martin' };
  const aliceMessages: Message[] = [
    { message_id: 7, from: users.alice, chat: aliceChat, date: at(now, 300), text: '/start', entities: [{ type: 'bot_command', offset: 0, length: 6 }] },
    { message_id: 8, from: botUser, chat: aliceChat, date: at(now, 300), text: 'Hi Alice! I post finance updates to Acme Finance Team.' },
    { message_id: 9, from: users.alice, chat: aliceChat, date: at(now, 5), text: 'Can you send me the aged receivables summary?' },
  ];

  return [
    {
      chat: team,
      description: 'Invoices, approvals and month-end close for Acme Corp.',
      invite_link: 'https://t.me/+Xk3aPq9LmN4wZjc6',
      members: teamMembers,
      memberCount: 5,
      botStatus: 'administrator',
      messages: new Map(teamMessages.map((msg) => [msg.message_id, msg])),
      nextMessageId: 106,
      pinned: [101],
    },
    {
      chat: aliceChat,
      members: [],
      memberCount: 2,
      botStatus: 'member',
      messages: new Map(aliceMessages.map((msg) => [msg.message_id, msg])),
      nextMessageId: 10,
      pinned: [],
      bio: 'Finance at Acme Corp',
    },
    {
      chat: { id: FORMER_CHAT_ID, type: 'supergroup', title: 'Old Project Group' },
      members: [{ status: 'creator', user: users.dan, is_anonymous: false }],
      memberCount: 3,
      botStatus: 'kicked',
      messages: new Map(),
      nextMessageId: 1,
      pinned: [],
    },
  ];
}

/** Updates not yet confirmed: what the bot saw (as a group admin it receives every group message, plus its DMs). */
export function seedUpdates(chats: ChatRecord[]): Update[] {
  const team = chats.find((c) => c.chat.id === TEAM_CHAT_ID)!;
  const alice = chats.find((c) => c.chat.id === users.alice.id)!;
  const picks: Message[] = [team.messages.get(101)!, team.messages.get(102)!, alice.messages.get(7)!, team.messages.get(103)!, team.messages.get(104)!, team.messages.get(105)!, alice.messages.get(9)!];
  picks.sort((a, b) => a.date - b.date);
  return picks.map((message, i) => ({ update_id: 870_000_001 + i, message: structuredClone(message) }));
}
