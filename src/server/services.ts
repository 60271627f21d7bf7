// What the upstream server needs from the hub. The hub implements it; the server never reaches
// past it, which keeps the composition in hub.ts and the protocol handling here.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { CallContext } from '../downstream/connection.js';
import type { HubStatus } from '../status.js';
import type { ToolIndex } from '../routing/index.js';
import type { MetaTool } from './meta-tools.js';

export interface HubServices {
  catalog: Catalog;
  index: ToolIndex;
  status(): HubStatus;
  metaTools(): MetaTool[];
  isMetaTool(name: string): boolean;
  /** Catalog tools this client sees in tools/list (all of them, or none in search-first exposure). */
  listedTools(): import('../catalog/catalog.js').CatalogTool[];
  callTool(name: string, args: Record<string, unknown> | undefined, ctx: CallContext): Promise<CallToolResult>;
  instructions(): string;
}
