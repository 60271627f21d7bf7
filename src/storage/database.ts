// The hub's own durable state in one SQLite file in the data directory (`hub.db`): conversations, runs
// waiting for approval, the run history and hourly usage. better-sqlite3 is synchronous, so a read-check-write inside one statement
// or transaction cannot interleave with another request: an approval is claimed exactly once.
// Several processes may open the file (a served hub and a CLI command): WAL mode, and a busy timeout
// instead of an immediate "database is locked".
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Schema changes in order; a database records how many it has applied (PRAGMA user_version). Append only. */
const MIGRATIONS = [
  `CREATE TABLE waiting_runs (
     run_id TEXT PRIMARY KEY,
     owner TEXT NOT NULL,        -- the principal the run acts as (PrincipalRef JSON)
     state TEXT NOT NULL,        -- 'waiting', or 'resuming' once an approval claimed it
     shown TEXT NOT NULL,        -- approval keys of the steps the approval request showed (JSON array)
     run TEXT NOT NULL,          -- everything the run needs to continue (JSON)
     since INTEGER NOT NULL,
     expires INTEGER NOT NULL
   );
   CREATE TABLE conversations (
     id TEXT PRIMARY KEY,
     owner TEXT NOT NULL,        -- principal key: only that principal sees it
     owner_name TEXT NOT NULL,
     created INTEGER NOT NULL,
     updated INTEGER NOT NULL
   );
   CREATE TABLE turns (
     conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
     seq INTEGER NOT NULL,
     run_id TEXT,
     at INTEGER NOT NULL,
     entry TEXT NOT NULL,        -- the turn in compact form (JSON)
     PRIMARY KEY (conversation_id, seq)
   );
   CREATE UNIQUE INDEX turns_by_run ON turns(run_id) WHERE run_id IS NOT NULL;
   CREATE INDEX conversations_by_update ON conversations(updated);`,
  `CREATE TABLE runs (
     id TEXT PRIMARY KEY,
     owner_name TEXT NOT NULL,   -- the principal it acted as ('local' names the machine's user)
     owner_local INTEGER NOT NULL,
     status TEXT NOT NULL,
     started TEXT NOT NULL,
     updated INTEGER NOT NULL,
     record TEXT NOT NULL        -- the run record (JSON)
   );
   CREATE INDEX runs_by_start ON runs(started);
   CREATE TABLE usage (
     hour INTEGER NOT NULL,      -- start of the hour, ms since the epoch
     client TEXT NOT NULL,       -- token name, "stdio", "http", "cli", "workflow:<id>"
     calls INTEGER NOT NULL DEFAULT 0,
     errors INTEGER NOT NULL DEFAULT 0,
     ms_total REAL NOT NULL DEFAULT 0,
     llm_calls INTEGER NOT NULL DEFAULT 0,
     input_tokens INTEGER NOT NULL DEFAULT 0,
     output_tokens INTEGER NOT NULL DEFAULT 0,
     cost_usd REAL NOT NULL DEFAULT 0,
     PRIMARY KEY (hour, client)
   );`,
];

export const DATABASE_FILE = 'hub.db';

/** The database at `file`, opened on first use and kept open until close(). */
export function lazyDatabase(file: string): { get: () => Db; close: () => void } {
  let db: Db | undefined;
  return {
    get: () => (db ??= openDatabase(file)),
    close: () => {
      db?.close();
      db = undefined;
    },
  };
}

/** Opens (creating when absent) the hub's database: a file path, or ':memory:' for a hub without a data directory. */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  let db: Db;
  try {
    db = new Database(file);
  } catch (err) {
    throw new Error(`cannot open the hub's database ${file}: ${err instanceof Error ? err.message : String(err)}. Check that dataDir is writable.`);
  }
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  const applied = db.pragma('user_version', { simple: true }) as number;
  if (applied > MIGRATIONS.length) {
    db.close();
    throw new Error(`${file} was written by a newer version of the hub (schema ${applied}, this one knows ${MIGRATIONS.length}); upgrade mcp-orchestrator or point dataDir elsewhere`);
  }
  db.transaction(() => {
    for (let v = applied; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
  return db;
}
