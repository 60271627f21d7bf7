// The updates the bot has seen. getUpdates hands out the oldest 100 unconfirmed updates, so to reach
// recent ones a reader must confirm what it has read; this feed does that and keeps the last
// KEEP updates in memory, so reading stays repeatable for the tools.
import type { TelegramClient } from './client.js';
import type { TgMessage } from './tools/common.js';

export interface TgUpdate {
  update_id: number;
  message?: TgMessage;
  edited_message?: TgMessage;
  channel_post?: TgMessage;
  edited_channel_post?: TgMessage;
  [other: string]: unknown;
}

const KEEP = 1000;
const PAGE = 100;
/** Pages per sync: bounds one call's work when a bot has a large backlog. */
const MAX_PAGES = 10;

export class UpdateFeed {
  private readonly seen: TgUpdate[] = [];
  private nextOffset?: number;
  private syncing?: Promise<void>;

  constructor(private readonly client: TelegramClient) {}

  /** Fetches new updates; concurrent callers share one fetch. */
  sync(): Promise<void> {
    this.syncing ??= this.fetchNew().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  updates(): readonly TgUpdate[] {
    return this.seen;
  }

  private async fetchNew(): Promise<void> {
    for (let page = 0; page < MAX_PAGES; page++) {
      // Passing offset confirms everything before it; timeout 0 so a tool call never long-polls.
      const batch = await this.client.call<TgUpdate[]>('getUpdates', { offset: this.nextOffset, limit: PAGE, timeout: 0 });
      for (const update of batch) if (!this.seen.length || update.update_id > this.seen.at(-1)!.update_id) this.seen.push(update);
      if (this.seen.length > KEEP) this.seen.splice(0, this.seen.length - KEEP);
      if (batch.length) this.nextOffset = batch.at(-1)!.update_id + 1;
      if (batch.length < PAGE) return;
    }
  }
}

export const updateKind = (u: TgUpdate) => Object.keys(u).find((k) => k !== 'update_id') ?? 'unknown';
export const updateMessage = (u: TgUpdate): TgMessage | undefined => u.message ?? u.edited_message ?? u.channel_post ?? u.edited_channel_post;
