// Prometheus metrics (prom-client): tool calls, errors and latency per server and tool, circuit
// states, HTTP sessions and refusals, LLM tokens and cost, workflow runs. Per-call work is a cached
// child lookup, a counter increment and a histogram observe; gauges are read only when scraped.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UsageReport } from '../llm/types.js';
import type { CircuitState } from '../downstream/breaker.js';

export interface MetricSources {
  circuits(): Array<{ server: string; state: CircuitState; active: number; queued: number }>;
  llmUsage(): UsageReport;
  sessions(): number;
}

export type CallOutcome = 'ok' | 'error' | 'refused' | 'cancelled';

const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

interface Children {
  latency: Histogram.Internal<'server' | 'tool'>;
  outcomes: Map<CallOutcome, Counter.Internal>;
}

export class HubMetrics {
  readonly registry = new Registry();
  private readonly calls: Counter<'server' | 'tool' | 'outcome'>;
  private readonly latency: Histogram<'server' | 'tool'>;
  private readonly workflowRuns: Counter<'workflow' | 'status'>;
  private readonly httpRefused: Counter<'reason'>;
  /** Children by server and tool: labels() hashes its arguments on every call, a Map lookup does not. */
  private readonly children = new Map<string, Children>();

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'mcp_hub_' });
    this.calls = new Counter({ name: 'mcp_hub_tool_calls_total', help: 'Tool calls by server, tool and outcome (ok, error, refused, cancelled)', labelNames: ['server', 'tool', 'outcome'], registers });
    this.latency = new Histogram({
      name: 'mcp_hub_tool_call_duration_seconds',
      help: 'Tool call duration, from the hub receiving the call to its answer',
      labelNames: ['server', 'tool'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.workflowRuns = new Counter({ name: 'mcp_hub_workflow_runs_total', help: 'Workflow runs by workflow and final status', labelNames: ['workflow', 'status'], registers });
    this.httpRefused = new Counter({ name: 'mcp_hub_http_refused_total', help: 'HTTP requests refused, by reason (auth, origin, host, rate, size, sessions, token-sessions, metrics, session, malformed, shutdown)', labelNames: ['reason'], registers });
    new Gauge({
      name: 'mcp_hub_circuit_state',
      help: 'Circuit breaker per server: 0 closed, 1 half-open, 2 open',
      labelNames: ['server'],
      registers,
      collect() {
        this.reset();
        for (const c of sources.circuits()) this.set({ server: c.server }, CIRCUIT_VALUE[c.state]);
      },
    });
    new Gauge({
      name: 'mcp_hub_downstream_calls_in_flight',
      help: 'Calls in flight per server (waiting for a slot not included)',
      labelNames: ['server'],
      registers,
      collect() {
        this.reset();
        for (const c of sources.circuits()) this.set({ server: c.server }, c.active);
      },
    });
    new Gauge({
      name: 'mcp_hub_http_sessions',
      help: 'Open Streamable HTTP sessions',
      registers,
      collect() {
        this.set(sources.sessions());
      },
    });
    // The LLM service keeps its own totals (since it was created from the current config): read at scrape time.
    new Gauge({
      name: 'mcp_hub_llm_tokens',
      help: 'LLM tokens used since the LLM config was loaded, by provider, model and direction',
      labelNames: ['provider', 'model', 'direction'],
      registers,
      collect() {
        this.reset();
        for (const m of sources.llmUsage().byModel) {
          this.set({ provider: m.provider, model: m.model, direction: 'input' }, m.inputTokens);
          this.set({ provider: m.provider, model: m.model, direction: 'output' }, m.outputTokens);
        }
      },
    });
    new Gauge({
      name: 'mcp_hub_llm_cost_usd',
      help: 'LLM cost in USD since the LLM config was loaded, by provider and model',
      labelNames: ['provider', 'model'],
      registers,
      collect() {
        this.reset();
        for (const m of sources.llmUsage().byModel) this.set({ provider: m.provider, model: m.model }, m.costUsd);
      },
    });
    new Gauge({
      name: 'mcp_hub_llm_calls',
      help: 'LLM calls (and failures) since the LLM config was loaded, by provider and model',
      labelNames: ['provider', 'model', 'result'],
      registers,
      collect() {
        this.reset();
        for (const m of sources.llmUsage().byModel) {
          this.set({ provider: m.provider, model: m.model, result: 'ok' }, m.calls - m.failures);
          this.set({ provider: m.provider, model: m.model, result: 'failed' }, m.failures);
        }
      },
    });
  }

  /** `tool` must come from a bounded set (catalog and meta-tool names, or "unknown"): labels are kept forever. */
  observeCall(server: string, tool: string, outcome: CallOutcome, seconds: number): void {
    const key = `${server}\u0000${tool}`;
    let c = this.children.get(key);
    if (!c) {
      c = { latency: this.latency.labels(server, tool), outcomes: new Map() };
      this.children.set(key, c);
    }
    let counter = c.outcomes.get(outcome);
    if (!counter) {
      counter = this.calls.labels(server, tool, outcome);
      c.outcomes.set(outcome, counter);
    }
    counter.inc();
    c.latency.observe(seconds);
  }

  workflowRun(workflow: string, status: string): void {
    this.workflowRuns.inc({ workflow, status });
  }

  refused(reason: string): void {
    this.httpRefused.inc({ reason });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
