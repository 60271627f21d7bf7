// Where the mock's state lives: in memory for the life of the process, and, when a state file is given
// (the API mock's stateFile / --state-file; the MCP stand-in's XERO_MOCK_STATE_FILE), in that JSON file too
// (loaded at start, written after every change) so a test or a demo can look at what the calls did, or start
// from a prepared state.
import fs from 'node:fs';
import path from 'node:path';
import type { XeroState } from './model.js';
import { seedState } from './seed.js';

export class Store {
  private constructor(
    readonly state: XeroState,
    private readonly file?: string,
  ) {}

  static open(file: string | undefined): Store {
    if (file && fs.existsSync(file)) return new Store(JSON.parse(fs.readFileSync(file, 'utf8')) as XeroState, file);
    const store = new Store(seedState(), file);
    store.save();
    return store;
  }

  /** Writes the file atomically, so a reader never sees half a state. */
  save(): void {
    if (!this.file) return;
    fs.mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.state, null, 2));
    fs.renameSync(tmp, this.file);
  }
}
