// SIGKILL at random moments: during store writes (a child creating, running and removing workflows in
// a loop) and during a run. Whatever the moment, every file in the store parses, no acknowledged
// definition is lost or duplicated, and the next start marks the killed run as interrupted.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { readStore } from './support/workflow-store.js';
import { describe, expect, it } from 'vitest';
import { ManualScheduler, WorkflowService, type WorkflowRunner } from '../src/workflows/index.js';
import { ROOT, tempDir } from './support/hub.js';

const HOST = path.join(ROOT, 'dist/test/fixtures/workflow-host.js');

/**
 * Starts the host and kills it with SIGKILL when killWhen(line) says so, or `killAfterMs` after it is
 * ready (a random moment: most of the host's time goes to writing and flushing files).
 */
function runHost(dataDir: string, mode: 'churn' | 'run', killWhen: (line: string) => boolean, killAfterMs?: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HOST, dataDir, mode], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ORCHESTRATOR_LOG_LEVEL: 'error' } });
    const lines: string[] = [];
    let buffer = '';
    let stderr = '';
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      child.kill('SIGKILL');
    };
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line === 'ready' && killAfterMs !== undefined) setTimeout(kill, killAfterMs);
        if (killWhen(line)) kill();
      }
    });
    child.once('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(lines) : reject(new Error(`host exited ${code} before the kill:\n${stderr}`))));
  });
}

const quietRunner: WorkflowRunner = {
  runPlan: async (plan, opts) => ({ id: 'r', task: '', trigger: opts.trigger, status: 'succeeded', plan, steps: [], startedAt: new Date().toISOString(), usage: { llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 } }),
  planTask: async () => {
    throw new Error('no planner');
  },
  catalogSignature: () => '',
  destructiveTools: () => [],
};

describe('workflow store under SIGKILL', () => {
  it('stays valid with no lost or duplicated definitions when killed during writes', { timeout: 120_000 }, async () => {
    const dataDir = tempDir('workflows-kill-');
    const events: string[] = [];
    for (let round = 0; round < 10; round++) {
      events.push(...(await runHost(dataDir, 'churn', () => false, 20 + Math.random() * 300)));
      const { definitions, runs, stray } = readStore(dataDir);
      expect(stray).toEqual([]);
      const ids = definitions.map((d) => d.workflow.definition.id);
      const has = new Set(ids);
      expect(definitions.every((d) => d.file === `${d.workflow.definition.id}.json`)).toBe(true);
      expect(new Set(definitions.map((d) => d.workflow.definition.name)).size).toBe(ids.length);

      const said = (verb: string) => new Set(events.filter((e) => e.startsWith(`${verb} `)).map((e) => e.split(' ')[1]));
      const [creating, created, removing, removed] = ['creating', 'created', 'removing', 'removed'].map(said);
      for (const id of created) if (!removing.has(id)) expect(has, `acknowledged ${id} lost`).toContain(id);
      for (const id of removed) expect(has, `removed ${id} came back`).not.toContain(id);
      for (const id of ids) expect(creating, `${id} appeared from nowhere`).toContain(id);
      for (const line of events.filter((e) => e.startsWith('ran '))) {
        const [, id, runId] = line.split(' ');
        if (has.has(id)) expect(runs.get(id)?.map((r) => r.id), `run ${runId} of ${id} lost`).toContain(runId);
      }
    }
    expect(events.filter((e) => e.startsWith('created ')).length).toBeGreaterThan(6);

    // The next start cleans up and sees everything that was acknowledged.
    const service = new WorkflowService({ dataDir, runner: quietRunner, scheduler: new ManualScheduler(), defaultTimezone: 'UTC' });
    await service.start();
    const { definitions } = readStore(dataDir);
    expect(service.list().map((w) => w.id).sort()).toEqual(definitions.map((d) => d.workflow.definition.id).sort());
    expect(readdirSync(path.join(dataDir, 'workflows', 'definitions')).filter((n) => n.includes('.tmp-'))).toEqual([]);
    await service.stop();
  });

  it('marks a run killed midway as interrupted, and the workflow runs again', async () => {
    const dataDir = tempDir('workflows-kill-run-');
    const lines = await runHost(dataDir, 'run', (line) => line.startsWith('running '));
    expect(lines).toContain('running long');
    const { runs } = readStore(dataDir);
    expect(runs.get('long')?.[0].status).toBe('running');

    const service = new WorkflowService({ dataDir, runner: quietRunner, scheduler: new ManualScheduler(), defaultTimezone: 'UTC' });
    await service.start();
    const details = service.get('long');
    expect(details.runs[0]).toMatchObject({ status: 'failed', interrupted: true });
    expect(details.lastRun?.status).toBe('failed');
    expect((await service.runNow('long')).status).toBe('succeeded');
    await service.stop();
    expect(readStore(dataDir).runs.get('long')?.map((r) => r.status)).toEqual(['succeeded', 'failed']);
  });
});
