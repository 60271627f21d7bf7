// The clock that fires workflows. A small interface so that a shared, multi-instance backend (one that
// elects the hub that runs each occurrence) can replace node-cron without touching workflow code.
// Backends only say "this occurrence is due"; overlap, catch-up and history are the service's job,
// because manual and catch-up runs obey the same rules and skips must be recorded.
import nodeCron, { type Logger as NodeCronLogger, type ScheduledTask } from 'node-cron';
import { childLogger, type Logger } from '../log/logger.js';
import { nextRuns } from './cron.js';

/** Called when an occurrence is due, with its scheduled time. */
export type Fire = (scheduledFor: Date) => void;

export interface Scheduler {
  /** Replaces any schedule already under this id. */
  schedule(id: string, cron: string, timezone: string, fire: Fire): void;
  unschedule(id: string): void;
  /** The ids scheduled now. */
  scheduled(): string[];
  nextRuns(cron: string, timezone: string, n: number, from?: Date): Date[];
  stop(): Promise<void>;
}

export class NodeCronScheduler implements Scheduler {
  private readonly tasks = new Map<string, ScheduledTask>();

  private readonly logger: NodeCronLogger;

  constructor(log: Logger = childLogger('workflows')) {
    // node-cron's default logger writes to stdout (console.info), which is the MCP channel in stdio mode.
    this.logger = {
      info: (m) => log.debug(`node-cron: ${m}`),
      warn: (m) => log.warn(`node-cron: ${m}`),
      error: (m, err) => log.error(`node-cron: ${String(m)}${err ? `: ${err.message}` : ''}`),
      debug: (m) => log.debug(`node-cron: ${String(m)}`),
    };
  }

  schedule(id: string, cron: string, timezone: string, fire: Fire): void {
    this.unschedule(id);
    const task = nodeCron.schedule(cron, (ctx) => fire(ctx.date), { timezone, name: `workflow:${id}`, logger: this.logger, suppressMissedWarning: true });
    this.tasks.set(id, task);
  }

  unschedule(id: string): void {
    const task = this.tasks.get(id);
    if (!task) return;
    this.tasks.delete(id);
    void task.destroy();
  }

  scheduled(): string[] {
    return [...this.tasks.keys()];
  }

  nextRuns(cron: string, timezone: string, n: number, from?: Date): Date[] {
    return nextRuns(cron, timezone, n, from);
  }

  async stop(): Promise<void> {
    const tasks = [...this.tasks.values()];
    this.tasks.clear();
    await Promise.all(tasks.map((t) => t.destroy()));
  }
}

/** Fires only when told: for tests with an injected clock, and for hubs that run workflows on demand only. */
export class ManualScheduler implements Scheduler {
  readonly entries = new Map<string, { cron: string; timezone: string; fire: Fire }>();

  schedule(id: string, cron: string, timezone: string, fire: Fire): void {
    this.entries.set(id, { cron, timezone, fire });
  }

  unschedule(id: string): void {
    this.entries.delete(id);
  }

  scheduled(): string[] {
    return [...this.entries.keys()];
  }

  nextRuns(cron: string, timezone: string, n: number, from?: Date): Date[] {
    return nextRuns(cron, timezone, n, from);
  }

  /** Fires the occurrence of `id` scheduled at `at`; false when `id` is not scheduled. */
  fire(id: string, at: Date): boolean {
    const entry = this.entries.get(id);
    entry?.fire(at);
    return entry !== undefined;
  }

  async stop(): Promise<void> {
    this.entries.clear();
  }
}
