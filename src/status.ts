// hub_status's answer, built from the pool; shared by the meta-tool, the banner and doctor.
import type { DownstreamPool } from './downstream/pool.js';
import type { Catalog } from './catalog/catalog.js';

export interface ServerStatus {
  name: string;
  state: string;
  transport?: string;
  tools: number;
  error?: string;
  restarts: number;
  connectMs?: number;
  /** Variables to set before this server can start. */
  missing?: string[];
}

export interface HubStatus {
  servers: ServerStatus[];
  totals: { servers: number; ready: number; tools: number; resources: number; prompts: number };
  [section: string]: unknown;
}

export function poolStatus(pool: DownstreamPool, catalog: Catalog): HubStatus {
  const servers: ServerStatus[] = [...pool.connections.values()].map((c) => ({
    name: c.name,
    state: c.state,
    transport: c.transport ?? (c.config.transport === 'auto' ? undefined : c.config.transport),
    tools: catalog.tools().filter((t) => t.server === c.name).length,
    error: c.lastError,
    restarts: c.restarts,
    connectMs: c.connectMs,
  }));
  for (const [name, missing] of Object.entries(pool.notConfigured)) {
    servers.push({ name, state: 'not-configured', tools: 0, restarts: 0, missing, error: `not configured: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set` });
  }
  servers.sort((a, b) => a.name.localeCompare(b.name));
  return {
    servers,
    totals: {
      servers: servers.length,
      ready: servers.filter((s) => s.state === 'ready').length,
      tools: catalog.tools().length,
      resources: catalog.resources().length,
      prompts: catalog.prompts().length,
    },
  };
}
