// The mock's world: chats with their message history, pending updates, stored files. Exported so a test
// can assert what the bot did ("one message with text X was sent to chat Y") and inject new updates.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { bot, botUser, seedChats, seedUpdates } from './seed.js';
import type { BotUser, Chat, ChatMember, Message, StoredFile, Update, User } from './types.js';

export interface ChatRecord {
  chat: Chat;
  description?: string;
  bio?: string;
  invite_link?: string;
  members: ChatMember[];
  memberCount: number;
  /** The bot's own standing: 'kicked' chats answer 403 like the real API. */
  botStatus: 'administrator' | 'member' | 'kicked';
  messages: Map<number, Message>;
  nextMessageId: number;
  /** Pinned message ids, most recent last. */
  pinned: number[];
}

/** One call that changed something, in order: the log tests assert on. */
export interface Action {
  method: string;
  chat_id: number;
  message_id?: number;
  /** Delivery options that leave no trace on the message itself (disable_notification). */
  silent?: boolean;
  at: number;
}

export class TelegramState {
  /** What getMe answers. */
  readonly bot: BotUser = structuredClone(bot);
  /** The bot as the sender of its messages. */
  readonly botUser: User = structuredClone(botUser);
  readonly chats = new Map<number, ChatRecord>();
  /** Updates not yet confirmed by getUpdates(offset). */
  updates: Update[] = [];
  readonly files = new Map<string, StoredFile>();
  /** Every message the bot sent (sendMessage, sendDocument, sendPhoto, forwardMessage), in order. */
  readonly sent: Message[] = [];
  readonly actions: Action[] = [];
  private nextUpdateId: number;
  private readonly events = new EventEmitter();

  constructor(readonly now: () => number = () => Math.floor(Date.now() / 1000)) {
    for (const record of seedChats(this.now())) this.chats.set(record.chat.id, record);
    this.updates = seedUpdates([...this.chats.values()]);
    this.nextUpdateId = (this.updates.at(-1)?.update_id ?? 870_000_000) + 1;
  }

  /** Messages the bot sent to one chat, still present (not deleted), in order. */
  sentTo(chatId: number): Message[] {
    const record = this.chats.get(chatId);
    return this.sent.filter((m) => m.chat.id === chatId && record?.messages.get(m.message_id) === m);
  }

  message(chatId: number, messageId: number): Message | undefined {
    return this.chats.get(chatId)?.messages.get(messageId);
  }

  /** Appends a message from the bot to a chat and logs it. */
  addBotMessage(chatId: number, content: Omit<Message, 'message_id' | 'chat' | 'date' | 'from'>, method: string, silent = false): Message {
    const record = this.chats.get(chatId)!;
    const message: Message = { message_id: record.nextMessageId++, from: this.botUser, chat: record.chat, date: this.now(), ...content };
    record.messages.set(message.message_id, message);
    this.sent.push(message);
    this.log(method, chatId, message.message_id, silent);
    return message;
  }

  log(method: string, chatId: number, messageId?: number, silent = false): void {
    this.actions.push({ method, chat_id: chatId, message_id: messageId, silent, at: Date.now() });
  }

  /** Simulates someone writing to a chat the bot is in: the message lands in history and as an update. */
  injectMessage(chatId: number, from: Message['from'], text: string): Update {
    const record = this.chats.get(chatId);
    if (!record) throw new Error(`no chat ${chatId} in the mock`);
    const message: Message = { message_id: record.nextMessageId++, from, chat: record.chat, date: this.now(), text };
    record.messages.set(message.message_id, message);
    const update: Update = { update_id: this.nextUpdateId++, message: structuredClone(message) };
    this.updates.push(update);
    this.events.emit('update');
    return update;
  }

  /** Resolves when an update arrives or after `ms`, for long polling. */
  waitForUpdate(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.events.off('update', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.events.on('update', done);
    });
  }

  storeFile(file: Omit<StoredFile, 'file_id' | 'file_unique_id'>): StoredFile {
    // Real file ids are long opaque base64url strings; the prefix hints the kind as Telegram's do.
    const prefix = file.kind === 'photo' ? 'AgACAgQAAxkDAAI' : 'BQACAgQAAxkDAAI';
    const stored: StoredFile = { file_id: prefix + randomBytes(24).toString('base64url'), file_unique_id: 'AQAD' + randomBytes(6).toString('base64url'), ...file };
    this.files.set(stored.file_id, stored);
    return stored;
  }
}
