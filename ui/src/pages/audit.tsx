// Audit: who called what and how it went, filtered and paged.
import { useState } from 'preact/hooks';
import { get, query, type AuditEntry } from '../api';
import { Empty, ErrorBox, ms, Page, Pager, Status, time, useLoad, usePager } from '../components';

interface Filters {
  client: string;
  tool: string;
  outcome: string;
  since: string;
  until: string;
}

const NONE: Filters = { client: '', tool: '', outcome: '', since: '', until: '' };

/** datetime-local (local time) to ISO. */
function iso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function Audit() {
  const [draft, setDraft] = useState<Filters>(NONE);
  const [filters, setFilters] = useState<Filters>(NONE);
  const pager = usePager();
  const entries = useLoad(
    (signal) =>
      get<{ entries: AuditEntry[]; nextCursor?: string }>(
        `/audit${query({ client: filters.client, tool: filters.tool, outcome: filters.outcome, since: iso(filters.since), until: iso(filters.until), limit: 50, cursor: pager.cursor })}`,
        signal,
      ),
    [filters, pager.cursor],
  );
  const field = (key: keyof Filters) => ({
    value: draft[key],
    onInput: (e: Event) => setDraft({ ...draft, [key]: (e.target as HTMLInputElement).value }),
  });
  const list = entries.data?.entries ?? [];
  return (
    <Page title="Audit">
      <form class="filters" aria-label="Filters" onSubmit={(e) => (e.preventDefault(), setFilters(draft), pager.reset())}>
        <label>Client <input type="text" {...field('client')} /></label>
        <label>Tool <input type="text" placeholder="xero__list-invoices" {...field('tool')} /></label>
        <label>
          Outcome
          <select value={draft.outcome} onChange={(e) => setDraft({ ...draft, outcome: (e.target as HTMLSelectElement).value })}>
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="error">error</option>
            <option value="refused">refused</option>
            <option value="cancelled">cancelled</option>
          </select>
        </label>
        <label>Since <input type="datetime-local" {...field('since')} /></label>
        <label>Until <input type="datetime-local" {...field('until')} /></label>
        <button type="submit">Apply</button>
        <button type="button" onClick={() => (setDraft(NONE), setFilters(NONE), pager.reset())}>Clear</button>
      </form>
      <ErrorBox error={entries.error} />
      {entries.data && list.length === 0 && <Empty>No audit entries match.</Empty>}
      {list.length > 0 && (
        <table aria-label="Audit entries">
          <thead><tr><th>Time</th><th>Kind</th><th>Client</th><th>Tool</th><th>Outcome</th><th class="num">Time taken</th><th>Error</th></tr></thead>
          <tbody>
            {list.map((a, i) => (
              <tr key={`${a.ts ?? a.time}-${i}`}>
                <td>{time(a.ts ?? a.time)}</td>
                <td>{a.kind}</td>
                <td>{a.client ?? ''}</td>
                <td><code>{a.tool ?? ''}</code></td>
                <td><Status value={a.outcome} /></td>
                <td class="num">{ms(a.ms)}</td>
                <td class="wrap">{a.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pager={pager} nextCursor={entries.data?.nextCursor} />
    </Page>
  );
}
