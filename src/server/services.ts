// What the upstream server needs from the hub. The hub implements it; the server never reaches
// past it, which keeps the composition in hub.ts and the protocol handling here.
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Catalog } from '../catalog/catalog.js';
import type { CallContext } from '../access/caller.js';
import type { HubStatus } from '../status.js';
import type { ToolIndex } from '../routing/index.js';
import type { Orchestrator } from '../planner/index.js';
import type { LlmService } from '../llm/index.js';
import type { WorkflowService } from '../workflows/index.js';
import type { Memory } from '../memory/index.js';
import type { MetaTool } from './meta-tools.js';
import type { CallInfo, FinishCall } from '../observability/calls.js';
import type { Principal } from '../access/principal.js';
import type { ClientLimits } from '../config/schema.js';
import type { RerankModel } from '../routing/rerank.js';

/** A connected app as the caller may see it: the server's name, what it says it is, its tools' own names. */
export interface AppInfo {
  name: string;
  /** The config's `description`, else the server's instructions. */
  description?: string;
  tools: string[];
}

/** How search_tools reranks for one call (routing.rerank), with the model already chosen for that caller. */
export interface Reranker {
  model: RerankModel;
  /** Which model: the hub's configured one or the client's (sampling). */
  by: 'llm' | 'sampling';
  candidates: number;
  timeoutMs: number;
  maxTokens: number;
  /** routing.defaultLimit: the result count when the caller gives none. */
  defaultLimit: number;
  /** Logs why the search kept its own order. */
  fallback(reason: string): void;
}

export interface HubServices {
  catalog: Catalog;
  index: ToolIndex;
  orchestrator: Orchestrator;
  llm: LlmService;
  workflows: WorkflowService;
  memory: Memory;
  /** Approves or declines a run waiting for consent, for the call's principal; a refusal comes back as text. */
  approveRun(
    runId: string,
    approve: boolean,
    call: CallContext,
    options?: { onProgress?: (p: import('../planner/index.js').StepProgress) => void; approve?: import('../planner/index.js').Approver },
  ): Promise<import('../planner/index.js').RunResult | { refused: string }>;
  /** Why no model can serve this call (no key, no sampling client), or undefined when one can. */
  llmUnavailable(call: CallContext): string | undefined;
  /** With the call: the LLM chain's availability for that client (sampling depends on it). */
  status(call?: CallContext): HubStatus;
  metaTools(): MetaTool[];
  isMetaTool(name: string): boolean;
  /** Catalog tools this client sees in tools/list (all of them, or none in search-first exposure). */
  listedTools(): import('../catalog/catalog.js').CatalogTool[];
  /** The catalog tools expose.pin names (listed in every mode, and in a session's search mode). */
  pinnedTools(): import('../catalog/catalog.js').CatalogTool[];
  /** expose.clients: the limits of the first key whose glob matches the client's name ({} for none). */
  clientLimits(clientName: string | undefined): ClientLimits;
  /** The apps (servers) with at least one tool this principal may use, in name order. */
  apps(principal: Principal): AppInfo[];
  /** routing.rerank for this call: undefined when it is off or no model can serve this caller. */
  reranker(call: CallContext): Reranker | undefined;
  /** Checks the caller's scope, audits and counts; the SDK path and meta-tools come here. */
  callTool(name: string, args: Record<string, unknown> | undefined, ctx: CallContext): Promise<CallToolResult>;
  /** Tracks one call the hub answers itself (audit line, metrics, in-flight count for shutdown). */
  track(info: CallInfo): FinishCall;
  instructions(): string;
}
