// The subset of Bot API objects the mock serves, shaped as https://core.telegram.org/bots/api documents them.

export interface User {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface BotUser extends User {
  can_join_groups: boolean;
  can_read_all_group_messages: boolean;
  supports_inline_queries: boolean;
  can_connect_to_business: boolean;
  has_main_web_app: boolean;
}

export type ChatType = 'private' | 'group' | 'supergroup' | 'channel';

export interface Chat {
  id: number;
  type: ChatType;
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
}

export interface MessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  user?: User;
}

export interface PhotoSize {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size?: number;
}

export interface Document {
  file_id: string;
  file_unique_id: string;
  file_name?: string;
  mime_type?: string;
  file_size?: number;
}

export type MessageOrigin =
  | { type: 'user'; date: number; sender_user: User }
  | { type: 'chat'; date: number; sender_chat: Chat }
  | { type: 'channel'; date: number; chat: Chat; message_id: number };

export interface Message {
  message_id: number;
  from?: User;
  chat: Chat;
  date: number;
  edit_date?: number;
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  caption_entities?: MessageEntity[];
  photo?: PhotoSize[];
  document?: Document;
  reply_to_message?: Message;
  forward_origin?: MessageOrigin;
  pinned_message?: Message;
  new_chat_members?: User[];
}

export interface Update {
  update_id: number;
  message?: Message;
  edited_message?: Message;
}

export interface ChatMember {
  status: 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';
  user: User;
  is_anonymous?: boolean;
  custom_title?: string;
  can_be_edited?: boolean;
  can_manage_chat?: boolean;
  can_delete_messages?: boolean;
  can_manage_video_chats?: boolean;
  can_restrict_members?: boolean;
  can_promote_members?: boolean;
  can_change_info?: boolean;
  can_invite_users?: boolean;
  can_post_stories?: boolean;
  can_edit_stories?: boolean;
  can_delete_stories?: boolean;
  can_pin_messages?: boolean;
  can_manage_topics?: boolean;
}

/** One stored file: what a later send by file_id reuses. */
export interface StoredFile {
  file_id: string;
  file_unique_id: string;
  kind: 'document' | 'photo';
  file_name?: string;
  mime_type?: string;
  size: number;
  /** The uploaded bytes, or undefined when Telegram "fetched" a URL (the mock never goes online). */
  bytes?: Buffer;
  source_url?: string;
}
