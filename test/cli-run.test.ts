// The CLI's task commands as a user runs them: the offline demo scenario, and `run` against the mock apps.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, tempDir, writeConfig } from './support/hub.js';
import { SEED_TASK, TEAM_CHAT_ID, followUps, startMockApps, type MockApps } from './support/apps.js';

/** Runs the CLI without blocking the event loop (the mock apps live in this process). */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('demo --scenario invoices', () => {
  it('plans and runs the seed scenario on the mocks and prints the run and the apps\' final state', async () => {
    const run = await cli(['demo', '--scenario', 'invoices', '--json']);
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as {
      model: string;
      run: { status: string; planSource: string; steps: Array<{ id: string; status: string }> };
      apps: { clickup: { followUps: Array<{ name: string }> }; telegram: { sent: Array<{ text?: string }> } };
    };
    expect(out.model).toBe('scripted-stand-in');
    expect(out.run).toMatchObject({ status: 'succeeded', planSource: 'llm' });
    const invoices = out.apps.clickup.followUps.map((t) => /INV-\d{4}/.exec(t.name)?.[0]).filter(Boolean).sort();
    expect(invoices).toEqual(['INV-0002', 'INV-0003', 'INV-0004', 'INV-0006', 'INV-0008']);
    expect(out.apps.telegram.sent).toHaveLength(1);
    expect(out.apps.telegram.sent[0].text).toContain('GBP 9,120.00');
  });
});

describe('run', () => {
  let apps: MockApps;
  let config: string;
  beforeAll(async () => {
    apps = await startMockApps();
    config = writeConfig(tempDir(), { ...apps.config, orchestrate: { trust: ['xero__list-*'], confirm: ['telegram__send_*'] } });
  });
  afterAll(async () => apps?.close());

  it('--dry-run shows the plan and changes nothing', async () => {
    const before = followUps(apps).length;
    const run = await cli(['run', SEED_TASK, '--dry-run', '--config', config]);
    expect(run.status).toBe(0);
    // The run (plan and steps) is the result: stdout; nothing of it is a diagnostic.
    expect(run.stdout).toMatch(/: planned/);
    expect(run.stdout).toContain('clickup__create_task');
    expect(followUps(apps)).toHaveLength(before);
  });

  it('stops before a step that needs consent without a terminal, and runs it with --yes', async () => {
    const sent = apps.telegram.state.sentTo(TEAM_CHAT_ID).length;
    const waiting = await cli(['run', SEED_TASK, '--json', '--config', config]);
    expect(waiting.status).toBe(1);
    expect(JSON.parse(waiting.stdout).status).toBe('needs-approval');
    expect(apps.telegram.state.sentTo(TEAM_CHAT_ID)).toHaveLength(sent);

    const approved = await cli(['run', SEED_TASK, '--yes', '--config', config]);
    expect(approved.status).toBe(0);
    // Progress is a diagnostic (stderr); the finished run is the result (stdout).
    expect(approved.stderr).toMatch(/\[\d+\/\d+\] notify \(telegram__send_message\): succeeded/);
    expect(approved.stdout).toMatch(/notify: succeeded/);
    expect(apps.telegram.state.sentTo(TEAM_CHAT_ID)).toHaveLength(sent + 1);
  });
});
