// Approvals: runs waiting for a person's consent, with approve/deny on each.
import { enc, get, post, type Run, type RunSummary } from '../api';
import { Empty, ErrorBox, Page, time, useAction, useLoad } from '../components';

function Waiting({ summary, onDone }: { summary: RunSummary; onDone: () => void }) {
  const run = useLoad((signal) => get<Run>(`/runs/${enc(summary.id)}`, signal), [summary.id]);
  const action = useAction();
  const answer = (approve: boolean) => action.run(async () => {
    await post(`/runs/${enc(summary.id)}/approve`, { approve });
    onDone();
  });
  return (
    <li class="card" aria-label={`Run ${summary.id}`}>
      <p>
        <a href={`#/runs/${enc(summary.id)}`}>{summary.task || summary.id}</a> <span class="muted">started {time(summary.startedAt)}{summary.client ? ` by ${summary.client}` : ''}</span>
      </p>
      {run.data?.approval?.message && <p>{run.data.approval.message}</p>}
      <ul>
        {run.data?.approval?.steps.map((s) => (
          <li key={s.step}>step <code>{s.step}</code> calls <code>{s.tool}</code>{s.reason ? `: ${s.reason}` : ''}</li>
        ))}
      </ul>
      <div class="row">
        <button type="button" class="primary" disabled={action.busy} onClick={() => answer(true)}>Approve</button>
        <button type="button" class="danger" disabled={action.busy} onClick={() => answer(false)}>Deny</button>
      </div>
      <ErrorBox error={run.error ?? action.error} />
    </li>
  );
}

export function Approvals() {
  const runs = useLoad((signal) => get<{ runs: RunSummary[] }>('/runs?status=needs-approval', signal), [], 5000);
  return (
    <Page title="Approvals">
      <ErrorBox error={runs.error} />
      {runs.data && runs.data.runs.length === 0 && <Empty>Nothing waits for approval.</Empty>}
      <ul class="cards">
        {runs.data?.runs.map((r) => <Waiting key={r.id} summary={r} onDone={runs.reload} />)}
      </ul>
    </Page>
  );
}
