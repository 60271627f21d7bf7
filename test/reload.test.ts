// Editing the config while the hub runs: changed servers restart, removed ones stop, new ones
// connect, the rest are untouched; an invalid edit is refused and the running config kept.
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, fixture, startHub, tempDir, text, writeConfig, type HubHandle } from './support/hub.js';

describe('config reload', () => {
  let hub: HubHandle;
  afterAll(async () => hub?.close());

  it('applies a valid edit server by server and refuses an invalid one', async () => {
    const dir = tempDir();
    const config = (servers: Record<string, unknown>) => ({ servers });
    const file = writeConfig(dir, config({ alpha: fixture('alpha'), beta: fixture('beta'), gamma: fixture('gamma') }));
    hub = await startHub('stdio', file);
    const pid = async (server: string) => text(await hub.client.callTool({ name: `${server}__pid`, arguments: {} }));
    const alphaPid = await pid('alpha');
    const betaPid = await pid('beta');
    const names = async () => (await hub.client.listTools()).tools.map((t) => t.name);

    writeFileSync(file, stringify(config({ alpha: fixture('alpha'), beta: fixture('beta', { env: { CHANGED: '1' } }), delta: fixture('delta') })));
    await eventually(async () => {
      const now = await names();
      return now.includes('delta__echo') && !now.includes('gamma__echo') && now.includes('beta__echo');
    }, 15_000, 'delta to appear and gamma to go');
    expect(await pid('alpha')).toBe(alphaPid);
    expect(await pid('beta')).not.toBe(betaPid);

    writeFileSync(file, 'servers:\n  alpha: {command: node, timeoutMs: -5}\n');
    await eventually(() => hub.stderr().includes('config edit rejected'), 10_000, 'the rejection in the log');
    expect(hub.stderr()).toMatch(/servers\.alpha\.timeoutMs/);
    expect(await names()).toContain('delta__echo');
    expect(text(await hub.client.callTool({ name: 'alpha__echo', arguments: { message: 'still' } }))).toBe('alpha: still');
  });
});
