// Which tools need consent and which may be retried, from MCP tool annotations and the config.
// MCP's defaults (2025-06-18 spec): readOnlyHint false, destructiveHint true, idempotentHint false.
// We follow them: a tool that is not annotated read-only and not annotated non-destructive may be
// destructive, so it needs consent. Unannotated servers (the Xero MCP server, say) can be declared
// safe tool by tool with `orchestrate.trust` globs; `orchestrate.confirm` globs always ask.
import type { Tool } from '@modelcontextprotocol/client';
import { globToRegExp } from '../catalog/naming.js';

export interface SafetyRules {
  confirm: string[];
  trust: string[];
  egress?: string[];
}

export class SafetyPolicy {
  private readonly confirm: Array<{ glob: string; re: RegExp }>;
  private readonly trust: RegExp[];
  private readonly egress: Array<{ glob: string; re: RegExp }>;

  constructor(rules: SafetyRules) {
    this.confirm = rules.confirm.map((glob) => ({ glob, re: globToRegExp(glob) }));
    this.trust = rules.trust.map(globToRegExp);
    this.egress = (rules.egress ?? []).map((glob) => ({ glob, re: globToRegExp(glob) }));
  }

  /** Why running this tool needs consent, or undefined when it does not. */
  approvalReason(name: string, tool: Pick<Tool, 'annotations'> | undefined): string | undefined {
    const rule = this.confirm.find((c) => c.re.test(name));
    if (rule) return `matches orchestrate.confirm pattern "${rule.glob}"`;
    if (this.trust.some((re) => re.test(name))) return undefined;
    const a = tool?.annotations;
    if (a?.readOnlyHint === true) return undefined;
    const egress = a?.openWorldHint !== false && this.egress.find((e) => e.re.test(name));
    if (egress) return `sends data out of the hub (matches orchestrate.egress "${egress.glob}"; list it in orchestrate.trust to run it unasked)`;
    if (a?.destructiveHint === false) return undefined;
    if (a?.destructiveHint === true) return 'annotated destructive';
    return 'not annotated read-only or non-destructive (MCP assumes such tools may be destructive)';
  }
}

/** Retrying is safe only when a second call cannot do more than the first. */
export function isRetryable(tool: Pick<Tool, 'annotations'> | undefined): boolean {
  const a = tool?.annotations;
  return a?.readOnlyHint === true || a?.idempotentHint === true;
}
