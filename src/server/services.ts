// What the upstream server needs from the hub. The hub implements it; the server never reaches
// past it, which keeps the composition in hub.ts and the protocol handling here.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { CallContext } from '../access/principal.js';
import type { HubStatus } from '../status.js';
import type { ToolIndex } from '../routing/index.js';
import type { Orchestrator } from '../planner/index.js';
import type { LlmService } from '../llm/index.js';
import type { WorkflowService } from '../workflows/index.js';
import type { Memory } from '../memory/index.js';
import type { MetaTool } from './meta-tools.js';
import type { CallInfo, FinishCall } from '../observability/calls.js';

export interface HubServices {
  catalog: Catalog;
  index: ToolIndex;
  orchestrator: Orchestrator;
  llm: LlmService;
  workflows: WorkflowService;
  memory: Memory;
  /** Why no model can serve this call (no key, no sampling client), or undefined when one can. */
  llmUnavailable(call: CallContext): string | undefined;
  /** With the call: the LLM chain's availability for that client (sampling depends on it). */
  status(call?: CallContext): HubStatus;
  metaTools(): MetaTool[];
  isMetaTool(name: string): boolean;
  /** Catalog tools this client sees in tools/list (all of them, or none in search-first exposure). */
  listedTools(): import('../catalog/catalog.js').CatalogTool[];
  /** Checks the caller's scope, audits and counts; the SDK path and meta-tools come here. */
  callTool(name: string, args: Record<string, unknown> | undefined, ctx: CallContext): Promise<CallToolResult>;
  /** Tracks one call the hub answers itself (audit line, metrics, in-flight count for shutdown). */
  track(info: CallInfo): FinishCall;
  instructions(): string;
}
