// Catalog and search: the merged tool list (by server, paged), and tool search with scores.
import { useState } from 'preact/hooks';
import { get, query, type Server, type Tool } from '../api';
import { Empty, ErrorBox, Page, Pager, useLoad, usePager } from '../components';

function Search() {
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const results = useLoad((signal) => (q ? get<{ tools: Tool[] }>(`/search${query({ q, limit: 10 })}`, signal) : Promise.resolve(undefined)), [q]);
  return (
    <section aria-labelledby="search-title">
      <h2 id="search-title">Search</h2>
      <form class="inline" role="search" onSubmit={(e) => (e.preventDefault(), setQ(text.trim()))}>
        <label for="search-q">Find tools for</label>
        <input id="search-q" type="search" value={text} placeholder="unpaid invoices" onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={results.error} />
      {q && results.data && results.data.tools.length === 0 && <Empty>No tool matches "{q}".</Empty>}
      {results.data && results.data.tools.length > 0 && (
        <table aria-label="Search results">
          <thead>
            <tr><th>Tool</th><th>Server</th><th class="num">Score</th><th>Description</th></tr>
          </thead>
          <tbody>
            {results.data.tools.map((t) => (
              <tr key={t.name}>
                <td><code>{t.name}</code></td>
                <td>{t.server}</td>
                <td class="num">{t.score?.toFixed(3)}</td>
                <td class="wrap">{t.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Tools() {
  const [server, setServer] = useState('');
  const pager = usePager();
  const servers = useLoad((signal) => get<{ servers: Server[] }>('/servers', signal), []);
  const tools = useLoad((signal) => get<{ tools: Tool[]; nextCursor?: string }>(`/tools${query({ server, limit: 50, cursor: pager.cursor })}`, signal), [server, pager.cursor]);
  return (
    <section aria-labelledby="tools-title">
      <h2 id="tools-title">Tools</h2>
      <form class="inline" onSubmit={(e) => e.preventDefault()}>
        <label for="tools-server">Server</label>
        <select id="tools-server" value={server} onChange={(e) => (setServer((e.target as HTMLSelectElement).value), pager.reset())}>
          <option value="">all</option>
          {servers.data?.servers.map((s) => <option key={s.name} value={s.name}>{s.name}</option>)}
        </select>
      </form>
      <ErrorBox error={tools.error} />
      {tools.data && tools.data.tools.length === 0 && <Empty>No tools.</Empty>}
      {tools.data && tools.data.tools.length > 0 && (
        <table aria-label="Tools">
          <thead>
            <tr><th>Tool</th><th>Server</th><th>Hints</th><th>Description</th></tr>
          </thead>
          <tbody>
            {tools.data.tools.map((t) => (
              <tr key={t.name}>
                <td><code>{t.name}</code></td>
                <td>{t.server}</td>
                <td>{hints(t.annotations)}</td>
                <td class="wrap">{t.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pager={pager} nextCursor={tools.data?.nextCursor} />
    </section>
  );
}

function hints(annotations?: Record<string, unknown>): string {
  if (!annotations) return '';
  const out: string[] = [];
  if (annotations.readOnlyHint === true) out.push('read-only');
  if (annotations.destructiveHint === true) out.push('destructive');
  if (annotations.idempotentHint === true) out.push('idempotent');
  return out.join(', ');
}

export function Catalog() {
  return (
    <Page title="Catalog">
      <Search />
      <Tools />
    </Page>
  );
}
