// The embedded store under <dataDir>/workflows: one file per workflow (definition and state) in
// definitions/, and its bounded run history in runs/. Every write is atomic (atomic.ts), one id is one
// file (so a definition can never be duplicated), and the in-memory copy is what the process reads.
import { chmod, mkdir, readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log/logger.js';
import { WriteQueue, removeFileDurable, removeTempFiles, writeFileAtomic } from './atomic.js';
import { StoredWorkflowSchema, WorkflowRunSchema, type StoredWorkflow, type WorkflowRun } from './types.js';

export interface StoreOptions {
  /** Runs kept per workflow, newest first. */
  historyLimit?: number;
  log?: Logger;
}

export class WorkflowStore {
  readonly definitionsDir: string;
  readonly runsDir: string;
  readonly historyLimit: number;
  private readonly workflows = new Map<string, StoredWorkflow>();
  private readonly history = new Map<string, WorkflowRun[]>();
  private readonly queue = new WriteQueue();

  constructor(
    readonly root: string,
    private readonly options: StoreOptions = {},
  ) {
    this.definitionsDir = path.join(root, 'definitions');
    this.runsDir = path.join(root, 'runs');
    this.historyLimit = options.historyLimit ?? 50;
  }

  /** Loads everything; cleans temp files of killed writes and histories whose workflow is gone. */
  async open(): Promise<void> {
    // Plans, arguments and results are private to the machine's user: folders 0700, files 0600 (atomic.ts).
    for (const dir of [this.root, this.definitionsDir, this.runsDir]) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await chmod(dir, 0o700);
    }
    await removeTempFiles(this.definitionsDir);
    await removeTempFiles(this.runsDir);
    this.workflows.clear();
    this.history.clear();
    for (const name of await jsonFiles(this.definitionsDir)) {
      const file = path.join(this.definitionsDir, name);
      const parsed = StoredWorkflowSchema.safeParse(await readJson(file));
      if (parsed.success && `${parsed.data.definition.id}.json` === name) this.workflows.set(parsed.data.definition.id, parsed.data);
      else await this.quarantine(file, parsed.success ? 'its id does not match its file name' : parsed.error.message);
    }
    for (const name of await jsonFiles(this.runsDir)) {
      const id = name.slice(0, -'.json'.length);
      const file = path.join(this.runsDir, name);
      if (!this.workflows.has(id)) {
        // A removal killed between its two unlinks.
        await removeFileDurable(file);
        continue;
      }
      const raw = await readJson(file);
      const runs = Array.isArray(raw) ? raw.map((r) => WorkflowRunSchema.safeParse(r)) : [];
      if (!Array.isArray(raw)) await this.quarantine(file, 'not a list of runs');
      this.history.set(id, runs.flatMap((r) => (r.success ? [r.data] : [])).slice(0, this.historyLimit));
    }
  }

  list(): StoredWorkflow[] {
    return [...this.workflows.values()];
  }

  get(id: string): StoredWorkflow | undefined {
    return this.workflows.get(id);
  }

  has(id: string): boolean {
    return this.workflows.has(id);
  }

  /** Stores a workflow (new or changed); resolves once it is on disk. */
  put(workflow: StoredWorkflow): Promise<void> {
    const id = workflow.definition.id;
    this.workflows.set(id, workflow);
    const file = path.join(this.definitionsDir, `${id}.json`);
    return this.queue.run(file, async () => {
      // Write what is current when the write starts: later changes queue their own write.
      const current = this.workflows.get(id);
      if (current) await writeFileAtomic(file, JSON.stringify(current, null, 2));
    });
  }

  /** Removes a workflow and its history. The definition goes first: history without one is cleaned at open. */
  async remove(id: string): Promise<void> {
    this.workflows.delete(id);
    this.history.delete(id);
    const definition = path.join(this.definitionsDir, `${id}.json`);
    const runs = path.join(this.runsDir, `${id}.json`);
    await this.queue.run(definition, () => removeFileDurable(definition));
    await this.queue.run(runs, () => removeFileDurable(runs));
  }

  /** Newest first. */
  runs(id: string): WorkflowRun[] {
    return this.history.get(id) ?? [];
  }

  /** Adds a run, or replaces the run with the same id (a running run that finished); keeps the newest historyLimit. */
  putRun(run: WorkflowRun): Promise<void> {
    const id = run.workflowId;
    if (!this.workflows.has(id)) return Promise.resolve();
    const runs = [...this.runs(id)];
    const at = runs.findIndex((r) => r.id === run.id);
    if (at >= 0) runs[at] = run;
    else runs.unshift(run);
    this.history.set(id, runs.slice(0, this.historyLimit));
    const file = path.join(this.runsDir, `${id}.json`);
    return this.queue.run(file, async () => {
      const current = this.history.get(id);
      if (current) await writeFileAtomic(file, JSON.stringify(current));
    });
  }

  /** Resolves when every write asked for so far is on disk. */
  flush(): Promise<void> {
    return this.queue.idle();
  }

  /** Moves an unreadable file aside (kept for inspection) instead of failing the whole hub. */
  private async quarantine(file: string, why: string): Promise<void> {
    const aside = `${file}.invalid-${Date.now()}`;
    this.options.log?.error(`workflow store: ${path.basename(file)} is unreadable (${why.split('\n')[0]}); moved to ${path.basename(aside)}`);
    await rename(file, aside);
  }
}

async function jsonFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}
