// Conversations: requests that share a conversationId, and the turns of one.
import { del, enc, get, type Conversation } from '../api';
import { Empty, ErrorBox, json, Page, Status, time, useAction, useLoad } from '../components';

export function Conversations() {
  const list = useLoad((signal) => get<{ conversations: Conversation[] }>('/conversations', signal), []);
  const action = useAction();
  const remove = (id: string) => action.run(async () => {
    await del(`/conversations/${enc(id)}`);
    list.reload();
  });
  const items = list.data?.conversations ?? [];
  return (
    <Page title="Conversations">
      <ErrorBox error={list.error ?? action.error} />
      {list.data && items.length === 0 && <Empty>No conversations yet.</Empty>}
      {items.length > 0 && (
        <table aria-label="Conversations">
          <thead><tr><th>Title</th><th>Owner</th><th class="num">Turns</th><th>Started</th><th>Updated</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <td class="wrap"><a href={`#/conversations/${enc(c.id)}`}>{c.title || c.id}</a></td>
                <td>{c.owner ?? ''}</td>
                <td class="num">{c.turns}</td>
                <td>{time(c.created)}</td>
                <td>{time(c.updated)}</td>
                <td><button type="button" class="danger" disabled={action.busy} onClick={() => remove(c.id)} aria-label={`Remove conversation ${c.title || c.id}`}>Remove</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

interface Turn {
  runId?: string;
  task?: string;
  kind?: string;
  via?: string;
  status?: string;
  at?: string;
  startedAt?: string;
  summary?: string;
  [key: string]: unknown;
}

export function ConversationView({ id }: { id: string }) {
  const conversation = useLoad((signal) => get<{ id: string; title?: string; turns: Turn[] }>(`/conversations/${enc(id)}`, signal), [id]);
  const turns = conversation.data?.turns ?? [];
  return (
    <Page title={conversation.data?.title ? `Conversation: ${conversation.data.title}` : 'Conversation'}>
      <p><a href="#/conversations">← All conversations</a></p>
      <ErrorBox error={conversation.error} />
      {conversation.data && turns.length === 0 && <Empty>No turns.</Empty>}
      <ol class="cards">
        {turns.map((t, i) => (
          <li key={i} class="card">
            <p>
              {t.status && <Status value={t.status} />} {t.task ?? t.kind ?? `turn ${i + 1}`} <span class="muted">{time(t.at ?? t.startedAt)}{t.via ? ` via ${t.via}` : ''}</span>
              {t.runId && <> · <a href={`#/runs/${enc(t.runId)}`}>run</a></>}
            </p>
            {t.summary && <p class="pre">{t.summary}</p>}
            <details>
              <summary>everything in this turn</summary>
              <pre>{json(t)}</pre>
            </details>
          </li>
        ))}
      </ol>
    </Page>
  );
}
