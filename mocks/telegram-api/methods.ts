// The Bot API methods the mock implements, each validating like Telegram does and answering with the
// same result objects and error descriptions.
import { parseEntities } from './entities.js';
import type { Params, Upload } from './params.js';
import type { ChatRecord, TelegramState } from './state.js';
import type { Message, MessageOrigin, PhotoSize } from './types.js';

export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
const DOCUMENT_UPLOAD_LIMIT = 50 * 1024 * 1024;
const PHOTO_UPLOAD_LIMIT = 10 * 1024 * 1024;

/** A Bot API failure: becomes {"ok":false,"error_code":code,"description":...}. */
export class BotApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
  ) {
    super(description);
  }
}

const bad = (what: string) => new BotApiError(400, `Bad Request: ${what}`);

export type Method = (p: Params, s: TelegramState) => unknown | Promise<unknown>;

function chat(p: Params, s: TelegramState, key = 'chat_id'): ChatRecord {
  const raw = p.string(key);
  if (!raw) throw bad(`${key} is empty`);
  const record = raw.startsWith('@') ? [...s.chats.values()].find((c) => c.chat.username === raw.slice(1)) : s.chats.get(Number(raw));
  if (!record) throw bad('chat not found');
  if (record.botStatus === 'kicked') throw new BotApiError(403, `Forbidden: bot was kicked from the ${record.chat.type} chat`);
  return record;
}

function messageId(p: Params, key = 'message_id'): number {
  const id = p.int(key);
  if (id === undefined) throw bad('message identifier is not specified');
  if (Number.isNaN(id)) throw bad(`invalid ${key} specified`);
  return id;
}

function formatted(p: Params, key: 'text' | 'caption', limit: number) {
  const src = p.string(key) ?? '';
  const parsed = parseEntities(src, p.string('parse_mode'));
  if ('error' in parsed) throw bad(parsed.error);
  if (parsed.text.length > limit) throw bad(key === 'text' ? 'message is too long' : 'message caption is too long');
  return parsed;
}

function replyTarget(p: Params, record: ChatRecord): Pick<Message, 'reply_to_message'> {
  const params = p.object<{ message_id?: number; allow_sending_without_reply?: boolean }>('reply_parameters');
  const id = params?.message_id ?? p.int('reply_to_message_id');
  if (id === undefined) return {};
  const target = record.messages.get(id);
  if (target) return { reply_to_message: structuredClone(target) };
  if (params?.allow_sending_without_reply || p.bool('allow_sending_without_reply')) return {};
  throw bad('message to be replied not found');
}

const canManage = (record: ChatRecord, right: 'can_delete_messages' | 'can_pin_messages', s: TelegramState) =>
  record.chat.type === 'private' || record.members.some((m) => m.user.id === s.bot.id && m.status === 'administrator' && m[right]);

const sendMessage: Method = (p, s) => {
  const record = chat(p, s);
  if (!p.has('text')) throw bad('message text is empty');
  const { text, entities } = formatted(p, 'text', TEXT_LIMIT);
  if (!text) throw bad('message text is empty');
  return s.addBotMessage(record.chat.id, { text, ...(entities.length ? { entities } : {}), ...replyTarget(p, record) }, 'sendMessage', p.bool('disable_notification'));
};

const editMessageText: Method = (p, s) => {
  if (p.has('inline_message_id')) throw bad('inline messages are not supported by this mock');
  const record = chat(p, s);
  const message = record.messages.get(messageId(p));
  if (!message) throw bad('message to edit not found');
  if (message.from?.id !== s.bot.id) throw bad("message can't be edited");
  if (message.text === undefined) throw bad('there is no text in the message to edit');
  const { text, entities } = formatted(p, 'text', TEXT_LIMIT);
  if (!text) throw bad('message text is empty');
  if (text === message.text && JSON.stringify(entities) === JSON.stringify(message.entities ?? [])) {
    throw bad('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
  }
  message.text = text;
  if (entities.length) message.entities = entities;
  else delete message.entities;
  message.edit_date = s.now();
  s.log('editMessageText', record.chat.id, message.message_id);
  return message;
};

const deleteMessage: Method = (p, s) => {
  const record = chat(p, s);
  const id = messageId(p);
  const message = record.messages.get(id);
  if (!message) throw bad('message to delete not found');
  if (message.from?.id !== s.bot.id && !canManage(record, 'can_delete_messages', s)) throw bad("message can't be deleted");
  record.messages.delete(id);
  record.pinned = record.pinned.filter((x) => x !== id);
  s.log('deleteMessage', record.chat.id, id);
  return true;
};

const forwardMessage: Method = (p, s) => {
  const to = chat(p, s);
  const from = chat(p, s, 'from_chat_id');
  const original = from.messages.get(messageId(p));
  if (!original) throw bad('message to forward not found');
  // A forward keeps the original's content and says where it came from.
  const origin: MessageOrigin = original.forward_origin ?? (original.from ? { type: 'user', date: original.date, sender_user: original.from } : { type: 'chat', date: original.date, sender_chat: from.chat });
  const { text, entities, caption, caption_entities, photo, document } = structuredClone(original);
  const content = Object.fromEntries(Object.entries({ text, entities, caption, caption_entities, photo, document }).filter(([, v]) => v !== undefined));
  return s.addBotMessage(to.chat.id, { ...content, forward_origin: origin }, 'forwardMessage', p.bool('disable_notification'));
};

const pinChatMessage: Method = (p, s) => {
  const record = chat(p, s);
  const id = messageId(p);
  if (!record.messages.has(id)) throw bad('message to pin not found');
  if (!canManage(record, 'can_pin_messages', s)) throw bad('not enough rights to manage pinned messages in the chat');
  record.pinned = [...record.pinned.filter((x) => x !== id), id];
  s.log('pinChatMessage', record.chat.id, id, p.bool('disable_notification'));
  return true;
};

const unpinChatMessage: Method = (p, s) => {
  const record = chat(p, s);
  if (!canManage(record, 'can_pin_messages', s)) throw bad('not enough rights to manage pinned messages in the chat');
  // Without message_id Telegram unpins the most recently pinned message.
  const id = p.has('message_id') ? messageId(p) : record.pinned.at(-1);
  if (id !== undefined && !record.messages.has(id)) throw bad('message to unpin not found');
  if (id !== undefined) record.pinned = record.pinned.filter((x) => x !== id);
  s.log('unpinChatMessage', record.chat.id, id);
  return true;
};

/** The file a send names: an upload (field or attach://name), a file_id sent before, or an HTTP URL. */
function inputFile(p: Params, s: TelegramState, field: 'document' | 'photo') {
  const value = p.string(field);
  const upload: Upload | undefined = p.uploads[field] ?? (value?.startsWith('attach://') ? p.uploads[value.slice(9)] : undefined);
  if (upload) {
    if (upload.bytes.length > (field === 'photo' ? PHOTO_UPLOAD_LIMIT : DOCUMENT_UPLOAD_LIMIT)) throw new BotApiError(413, 'Request Entity Too Large');
    if (upload.bytes.length === 0) throw bad('file must be non-empty');
    return { kind: field, bytes: upload.bytes, file_name: upload.name, mime_type: upload.type || 'application/octet-stream', size: upload.bytes.length };
  }
  if (!value) throw bad(`there is no ${field} in the request`);
  const known = s.files.get(value);
  if (known) return known;
  if (!/^https?:\/\/[^\s/]+\.[^\s/]+/.test(value)) throw bad('wrong file identifier/HTTP URL specified');
  // The mock never goes online: a URL "downloads" as a small file named after its last path segment.
  const name = decodeURIComponent(new URL(value).pathname.split('/').pop() || 'file');
  return { kind: field, source_url: value, file_name: name, mime_type: mimeFromName(name), size: 48_213 };
}

function mimeFromName(name: string): string {
  const ext = name.split('.').pop()?.toLowerCase();
  const types: Record<string, string> = { pdf: 'application/pdf', csv: 'text/csv', txt: 'text/plain', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', json: 'application/json' };
  return types[ext ?? ''] ?? 'application/octet-stream';
}

/** Width and height of a PNG, JPEG, GIF or WebP; undefined when the bytes are no image Telegram accepts. */
function imageSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes.subarray(0, 6).toString('latin1').startsWith('GIF8')) return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return { width: 1280, height: 960 };
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return { width: 1024, height: 768 };
  return undefined;
}

function sendFile(field: 'document' | 'photo'): Method {
  return (p, s) => {
    const record = chat(p, s);
    const file = inputFile(p, s, field);
    const { text: caption, entities } = formatted(p, 'caption', CAPTION_LIMIT);
    const captionPart = caption ? { caption, ...(entities.length ? { caption_entities: entities } : {}) } : {};
    const stored = 'file_id' in file ? file : s.storeFile(file);
    let media: Pick<Message, 'photo' | 'document'>;
    if (field === 'photo') {
      const size = stored.bytes ? imageSize(stored.bytes) : { width: 1280, height: 720 };
      if (!size) throw bad('IMAGE_PROCESS_FAILED');
      media = { photo: photoSizes(stored.file_id, stored.file_unique_id, size, stored.size) };
    } else {
      media = { document: { file_id: stored.file_id, file_unique_id: stored.file_unique_id, file_name: stored.file_name, mime_type: stored.mime_type, file_size: stored.size } };
    }
    const method = field === 'photo' ? 'sendPhoto' : 'sendDocument';
    return s.addBotMessage(record.chat.id, { ...media, ...captionPart, ...replyTarget(p, record) }, method, p.bool('disable_notification'));
  };
}

/** Telegram stores a photo in several sizes, the largest last. */
function photoSizes(fileId: string, uniqueId: string, size: { width: number; height: number }, bytes: number): PhotoSize[] {
  return [90, 320, 800, 1280]
    .filter((edge, i) => i === 0 || edge <= Math.max(size.width, size.height))
    .map((edge, i) => {
      const scale = Math.min(1, edge / Math.max(size.width, size.height));
      return { file_id: `${fileId}${i}`, file_unique_id: `${uniqueId}${i}`, width: Math.round(size.width * scale), height: Math.round(size.height * scale), file_size: Math.round(bytes * scale * scale) };
    });
}

const getUpdates: Method = async (p, s) => {
  const offset = p.int('offset');
  if (offset !== undefined && offset > 0) s.updates = s.updates.filter((u) => u.update_id >= offset);
  // A negative offset keeps the last -offset updates and forgets the ones before.
  if (offset !== undefined && offset < 0) s.updates = s.updates.slice(offset);
  const limit = Math.min(100, Math.max(1, p.int('limit') ?? 100));
  const timeout = Math.min(50, Math.max(0, p.int('timeout') ?? 0));
  if (s.updates.length === 0 && timeout > 0) await s.waitForUpdate(timeout * 1000);
  return s.updates.slice(0, limit);
};

const getChat: Method = (p, s) => {
  const record = chat(p, s);
  const c = record.chat;
  const pinned = record.pinned.at(-1);
  const common = { accent_color_id: Math.abs(c.id) % 7, max_reaction_count: 11, ...(pinned !== undefined && record.messages.has(pinned) ? { pinned_message: record.messages.get(pinned) } : {}) };
  if (c.type === 'private') return { ...c, ...common, ...(record.bio ? { bio: record.bio } : {}) };
  return {
    ...c,
    ...common,
    description: record.description,
    invite_link: record.invite_link,
    permissions: { can_send_messages: true, can_send_audios: true, can_send_documents: true, can_send_photos: true, can_send_videos: true, can_send_polls: true, can_add_web_page_previews: true, can_change_info: false, can_invite_users: true, can_pin_messages: false, can_manage_topics: false },
  };
};

const getChatAdministrators: Method = (p, s) => {
  const record = chat(p, s);
  if (record.chat.type === 'private') throw bad('there are no administrators in the private chat');
  return record.members.filter((m) => m.status === 'creator' || m.status === 'administrator');
};

const getChatMemberCount: Method = (p, s) => chat(p, s).memberCount;

/** Keyed by lower-case name: the Bot API matches method names case-insensitively. */
export const methods: Record<string, Method> = {
  getme: (_p, s) => s.bot,
  sendmessage: sendMessage,
  editmessagetext: editMessageText,
  deletemessage: deleteMessage,
  forwardmessage: forwardMessage,
  pinchatmessage: pinChatMessage,
  unpinchatmessage: unpinChatMessage,
  senddocument: sendFile('document'),
  sendphoto: sendFile('photo'),
  getupdates: getUpdates,
  getchat: getChat,
  getchatadministrators: getChatAdministrators,
  getchatmembercount: getChatMemberCount,
};
