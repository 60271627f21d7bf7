// Memory: search remembered runs and notes; forget one.
import { useState } from 'preact/hooks';
import { del, enc, get, query, type MemoryEntry } from '../api';
import { Empty, ErrorBox, Page, Status, time, useAction, useLoad } from '../components';

export function Memory() {
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const entries = useLoad((signal) => get<{ entries: MemoryEntry[] }>(`/memory${query({ q, limit: 50 })}`, signal), [q]);
  const action = useAction();
  const forget = (id: string) => action.run(async () => {
    await del(`/memory/${enc(id)}`);
    entries.reload();
  });
  const list = entries.data?.entries ?? [];
  return (
    <Page title="Memory">
      <form class="inline" role="search" onSubmit={(e) => (e.preventDefault(), setQ(text.trim()))}>
        <label for="memory-q">Search memory</label>
        <input id="memory-q" type="search" value={text} placeholder="what did we send to Telegram last week?" onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={entries.error ?? action.error} />
      {entries.data && list.length === 0 && <Empty>{q ? `Nothing remembered about "${q}".` : 'Nothing remembered yet.'}</Empty>}
      {list.length > 0 && (
        <table aria-label="Memory entries">
          <thead><tr><th>When</th><th>Kind</th><th>Status</th><th>Text</th>{q && <th class="num">Similarity</th>}<th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {list.map((m) => (
              <tr key={m.id}>
                <td>{time(m.startedAt)}</td>
                <td>{m.kind}</td>
                <td>{m.status ? <Status value={m.status} /> : ''}</td>
                <td class="wrap">{m.text}</td>
                {q && <td class="num">{m.similarity?.toFixed(3) ?? ''}</td>}
                <td><button type="button" class="danger" disabled={action.busy} onClick={() => forget(m.id)} aria-label={`Forget ${m.id}`}>Forget</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
