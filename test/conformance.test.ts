// The official MCP conformance suite (@modelcontextprotocol/conformance) through the hub, as part of the
// test run: scripts/conformance.mjs starts `mcp-orchestrator serve --http` on
// test/conformance/orchestrator.config.yaml (the hub fronting our fixture server, unprefixed), runs the
// suite's scored server scenarios for 2025-11-25 and 2026-07-28 and its client scenarios for the hub's
// downstream client, and fails when any scored one does. The suite is the judge; this only runs it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './support/hub.js';

describe('MCP conformance suite through the hub', () => {
  it('passes every scored server scenario of 2025-11-25 and 2026-07-28, and the client scenarios that apply', () => {
    const out = tempDir('conformance-');
    const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts/conformance.mjs'), '--client', '-o', out], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output).toMatch(/PASS 2025-11-25: (\d+)\/\1 scored scenarios pass/);
    expect(output).toMatch(/PASS 2026-07-28: (\d+)\/\1 scored scenarios pass/);
    expect(output).toMatch(/✓ tools_call/);
    expect(run.status, output.slice(-3000)).toBe(0);
  }, 300_000);
});
