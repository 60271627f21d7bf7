// Reads a hub's workflow store (<dataDir>/workflows) as it is on disk, for the SIGKILL tests: every
// definition and run history must parse, and nothing but JSON files (and temp files of a killed write,
// which the next start removes) may be there.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { StoredWorkflowSchema, WorkflowRunSchema } from '../../src/workflows/types.js';

export function readStore(dataDir: string) {
  const root = path.join(dataDir, 'workflows');
  const definitions = readdirSync(path.join(root, 'definitions'))
    .filter((n) => n.endsWith('.json'))
    .map((n) => ({ file: n, workflow: StoredWorkflowSchema.parse(JSON.parse(readFileSync(path.join(root, 'definitions', n), 'utf8'))) }));
  const runs = new Map(
    readdirSync(path.join(root, 'runs'))
      .filter((n) => n.endsWith('.json'))
      .map((n) => [n.slice(0, -5), (JSON.parse(readFileSync(path.join(root, 'runs', n), 'utf8')) as unknown[]).map((r) => WorkflowRunSchema.parse(r))]),
  );
  const stray = [...readdirSync(path.join(root, 'definitions')), ...readdirSync(path.join(root, 'runs'))].filter((n) => !n.endsWith('.json') && !/\.tmp-[0-9a-f]+$/.test(n));
  return { definitions, runs, stray };
}
