// Public surface of the Telegram Bot API mock.
export { startTelegramMock, type TelegramMock, type TelegramMockOptions } from './server.js';
export { TelegramState, type ChatRecord, type Action } from './state.js';
export { DEFAULT_TOKEN, TEAM_CHAT_ID, FORMER_CHAT_ID, bot, botUser, users } from './seed.js';
export type * from './types.js';
