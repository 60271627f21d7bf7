// `doctor`: connects to every server once and says, for each problem, what to do about it.
import type { ServerConfig } from '../config/schema.js';
import type { EmbeddingReport, HubStatus, ServerStatus } from '../status.js';
import { table } from './table.js';
import { BIN } from './package.js';

export function fixFor(s: ServerStatus, config: ServerConfig | undefined): string {
  if (s.state === 'ready') return '';
  if (s.state === 'disabled') return `enable it: servers.${s.name}.enabled: true`;
  if (s.state === 'not-configured') return `set ${s.missing!.join(' and ')} (e.g. export ${s.missing![0]}=...), or disable it: servers.${s.name}.enabled: false`;
  const error = s.error ?? '';
  if (config?.package && /is not installed|has no bin/.test(error)) return error.replace(/^.*?(package ")/, '$1');
  const target = config?.command ? `\`${[config.command, ...config.args].join(' ')}\`` : config?.package ? `the bin of ${config.package}` : config?.url;
  if (/ENOENT|not found|spawn/i.test(error) && config?.command) return `command "${config.command}" was not found: ${installHint(config.command)}, or fix servers.${s.name}.command (an absolute path works)`;
  if (/ECONNREFUSED|fetch failed|ENOTFOUND/i.test(error)) return `nothing answers at ${config?.url}: start that server or fix servers.${s.name}.url`;
  if (/\b401\b|\b403\b|unauthori[sz]ed|forbidden/i.test(error)) return `the server refused the credentials: check servers.${s.name}.headers / env`;
  if (/within \d+ ms|timed? ?out/i.test(error)) return `it did not start in time: run ${target} alone to check it starts, or raise servers.${s.name}.startupTimeoutMs`;
  if (/closed|exited/i.test(error)) return `the server exited at startup: run ${target} alone to see why`;
  return `run ${target} alone to see why it fails`;
}

export function doctorReport(status: HubStatus, servers: Record<string, ServerConfig>, embeddings?: EmbeddingReport): { text: string; failed: number } {
  const rows = status.servers.map((s) => [
    s.name,
    s.state,
    s.state === 'ready' ? s.tools : '',
    s.connectMs !== undefined && s.state === 'ready' ? `${s.connectMs} ms` : '',
    s.state === 'ready' ? '' : fixFor(s, servers[s.name]),
  ]);
  const failed = status.servers.filter((s) => s.state === 'failed' || s.state === 'crash-loop').length;
  const notConfigured = status.servers.filter((s) => s.state === 'not-configured').length;
  const errors = status.servers.filter((s) => s.error && s.state !== 'not-configured').map((s) => `  ${s.name}: ${s.error}`);
  const summary = [
    `${status.totals.ready}/${status.totals.servers} servers ready, ${status.totals.tools} tools`,
    notConfigured ? `${notConfigured} not configured (set the variables above; \`${BIN} demo\` tries everything offline)` : '',
    failed ? `${failed} failing` : '',
  ].filter(Boolean);
  const model = embeddings
    ? [`\nEmbedding model: ${embeddings.summary}`, embeddings.source && embeddings.state !== 'off' ? `  why: ${embeddings.source.reason}` : '', embeddings.fix ? `  to fix: ${embeddings.fix}` : ''].filter(Boolean).join('\n')
    : '';
  const text = [table(['SERVER', 'STATE', 'TOOLS', 'LATENCY', 'FIX'], rows), errors.length ? `\nErrors:\n${errors.join('\n')}` : '', ...(model ? [model] : []), '', summary.join('; ')].join('\n');
  return { text, failed };
}

/** How to get a command that is not on PATH, for the usual launchers of MCP servers. */
export function installHint(command: string): string {
  const name = command.split(/[\\/]/).pop()!.replace(/\.(exe|cmd)$/i, '');
  if (/^(node|npx|npm)$/.test(name)) return `install Node.js (it brings ${name}), then check \`${name} --version\``;
  if (/^(uv|uvx)$/.test(name)) return `install uv (it brings uvx): see docs.astral.sh/uv, then check \`${name} --version\``;
  if (/^(python3?|pip3?)$/.test(name)) return `install Python 3, then check \`${name} --version\``;
  if (name === 'docker') return 'install Docker and start it, then check `docker --version`';
  if (name === 'bunx' || name === 'bun') return 'install Bun (bun.sh)';
  if (command.includes('/') || command.includes('\\')) return `no file at ${command}: check the path (relative paths resolve against the config file's folder)`;
  return `it is not installed or not on PATH: install it (check with \`${name} --version\`)`;
}
