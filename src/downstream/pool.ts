// All downstream connections, kept in step with the config: on reload, changed servers restart,
// removed ones stop, new ones connect and the rest are untouched.
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import type { LoadedConfig } from '../config/load.js';
import type { ServerConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { Caller } from '../access/caller.js';
import { TaskRegistry } from './tasks.js';
import { DownstreamConnection, type ChangeKind, type RestartPolicy } from './connection.js';

export interface PoolOptions {
  log: Logger;
  autoRestart?: boolean;
  restart?: RestartPolicy;
  fallbackCaller?: () => Caller | undefined;
}

export declare interface DownstreamPool {
  on(event: 'changed', listener: (server: string, kind: ChangeKind) => void): this;
  on(event: 'log', listener: (server: string, params: { level: string; logger?: string; data: unknown }, caller: Caller | undefined) => void): this;
  on(event: 'resource-updated', listener: (server: string, uri: string) => void): this;
}

export class DownstreamPool extends EventEmitter {
  readonly connections = new Map<string, DownstreamConnection>();
  /** Hub task ids handed to clients, for every server's tasks (./tasks.ts). */
  readonly tasks = new TaskRegistry();
  /** Servers skipped because variables they need are unset: name -> the variables. */
  notConfigured: Record<string, string[]> = {};
  private baseDir = '.';
  private dataDir?: string;

  constructor(private readonly options: PoolOptions) {
    super();
  }

  get(name: string): DownstreamConnection | undefined {
    return this.connections.get(name);
  }

  /** Brings the pool in line with a config; resolves when every affected server is ready or failed. */
  async apply(loaded: LoadedConfig): Promise<void> {
    this.baseDir = loaded.baseDir;
    this.dataDir = path.resolve(loaded.baseDir, loaded.config.dataDir);
    const previous = this.notConfigured;
    this.notConfigured = loaded.notConfigured;
    const wanted = loaded.config.servers;
    const work: Promise<void>[] = [];

    for (const [name, connection] of this.connections) {
      if (!(name in wanted)) {
        this.connections.delete(name);
        work.push(this.retire(connection));
      }
    }
    for (const [name, config] of Object.entries(wanted)) {
      const existing = this.connections.get(name);
      if (existing && isDeepStrictEqual(existing.config, config)) continue;
      if (existing) work.push(this.retire(existing));
      work.push(this.add(name, config));
    }
    if (!isDeepStrictEqual(previous, this.notConfigured)) this.emit('changed', '', 'state');
    await Promise.all(work);
  }

  private async add(name: string, config: ServerConfig): Promise<void> {
    const connection = new DownstreamConnection(name, config, {
      baseDir: this.baseDir,
      dataDir: this.dataDir,
      log: this.options.log.child({ server: name }),
      autoRestart: this.options.autoRestart ?? true,
      restart: this.options.restart,
      fallbackCaller: this.options.fallbackCaller,
      tasks: this.tasks,
    });
    this.connections.set(name, connection);
    connection.on('changed', (kind) => this.emit('changed', name, kind));
    connection.on('log', (params, caller) => this.emit('log', name, params, caller));
    connection.on('resource-updated', (uri) => this.emit('resource-updated', name, uri));
    await connection.start();
  }

  private async retire(connection: DownstreamConnection): Promise<void> {
    connection.removeAllListeners();
    await connection.stop();
    for (const kind of ['tools', 'resources', 'prompts', 'state'] as const) this.emit('changed', connection.name, kind);
  }

  /** Stops a server and starts it again with the same config (the API's restart); false when there is none by that name. */
  async restart(name: string): Promise<boolean> {
    const existing = this.connections.get(name);
    if (!existing) return false;
    this.connections.delete(name);
    await this.retire(existing);
    await this.add(name, existing.config);
    return true;
  }

  /** Forced exit: no waiting, no orphans. */
  killAll(): void {
    for (const c of this.connections.values()) c.kill();
    DownstreamConnection.killClosing('SIGKILL');
  }

  async stopAll(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map((c) => this.retire(c)));
    // Processes of earlier failed starts may still be in their exit grace period.
    DownstreamConnection.killClosing('SIGTERM');
  }
}
