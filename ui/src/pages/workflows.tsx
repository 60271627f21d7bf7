// Workflows: schedules, next runs, tools awaiting approval, last run; pause, resume, run now; history.
import { enc, get, post, type Me, type Workflow, type WorkflowRunRef } from '../api';
import { Empty, ErrorBox, Page, Status, time, useAction, useLoad } from '../components';

function Controls({ workflow, me, onChange }: { workflow: Workflow; me: Me; onChange: () => void }) {
  const action = useAction();
  if (!me.workflows && !me.admin) return null;
  const act = (verb: 'pause' | 'resume' | 'run', body: Record<string, unknown> = {}) =>
    action.run(async () => {
      await post(`/workflows/${enc(workflow.id)}/${verb}`, body);
      onChange();
    });
  const paused = workflow.state === 'paused' || workflow.state === 'disabled';
  return (
    <div class="row">
      {workflow.source === 'config' ? (
        <span class="muted" title="Config workflows change in the file: enabled: false pauses one">set in the config</span>
      ) : workflow.state === 'awaiting-approval' ? (
        <button type="button" class="primary" disabled={action.busy} onClick={() => act('resume', { approveDestructive: true })} aria-label={`Approve tools and resume ${workflow.name}`}>
          Approve and resume
        </button>
      ) : paused ? (
        <button type="button" disabled={action.busy} onClick={() => act('resume')} aria-label={`Resume ${workflow.name}`}>Resume</button>
      ) : (
        <button type="button" disabled={action.busy} onClick={() => act('pause')} aria-label={`Pause ${workflow.name}`}>Pause</button>
      )}
      <button type="button" disabled={action.busy} onClick={() => act('run')} aria-label={`Run ${workflow.name} now`}>Run now</button>
      <ErrorBox error={action.error} />
    </div>
  );
}

function LastRun({ run }: { run?: WorkflowRunRef }) {
  if (!run) return <span class="muted">never</span>;
  return (
    <span>
      <a href={`#/runs/${enc(run.id)}`}><Status value={run.status} /></a> {time(run.startedAt)}{run.trigger ? ` (${run.trigger})` : ''}
    </span>
  );
}

export function Workflows({ me }: { me: Me }) {
  const workflows = useLoad((signal) => get<{ workflows: Workflow[] }>('/workflows', signal), [], 10_000);
  const list = workflows.data?.workflows ?? [];
  return (
    <Page title="Workflows">
      <ErrorBox error={workflows.error} />
      {workflows.data && list.length === 0 && <Empty>No workflows. Add them under <code>workflows:</code> in the config or with the schedule_workflow tool.</Empty>}
      {list.length > 0 && (
        <table aria-label="Workflows">
          <thead>
            <tr><th>Workflow</th><th>State</th><th>Schedule</th><th>Next runs</th><th>Needs approval</th><th>Last run</th><th>Source</th><th><span class="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {list.map((w) => (
              <tr key={w.id} data-workflow={w.id}>
                <th scope="row"><a href={`#/workflows/${enc(w.id)}`}>{w.name}</a></th>
                <td data-testid="workflow-state"><Status value={w.state} />{w.problem && <div class="error-text">{w.problem}</div>}</td>
                <td>{w.scheduleText ?? w.schedule ?? ''}</td>
                <td>{(w.nextRuns ?? []).slice(0, 3).map((n) => <div key={n}>{time(n)}</div>)}</td>
                <td>{(w.needsApproval ?? []).map((t) => <div key={t}><code>{t}</code></div>)}</td>
                <td><LastRun run={w.lastRun} /></td>
                <td>{w.source}</td>
                <td><Controls workflow={w} me={me} onChange={workflows.reload} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

export function WorkflowView({ id, me }: { id: string; me: Me }) {
  const workflow = useLoad((signal) => get<Workflow>(`/workflows/${enc(id)}?runs=25`, signal), [id], 10_000);
  const w = workflow.data;
  return (
    <Page title={w ? `Workflow ${w.name}` : 'Workflow'}>
      <p><a href="#/workflows">← All workflows</a></p>
      <ErrorBox error={workflow.error} />
      {w && (
        <>
          <dl class="facts">
            <dt>State</dt><dd data-testid="workflow-state"><Status value={w.state} /></dd>
            <dt>Schedule</dt><dd>{w.scheduleText ?? w.schedule}</dd>
            <dt>Next runs</dt><dd>{(w.nextRuns ?? []).map((n) => time(n)).join(', ') || 'none'}</dd>
            <dt>Needs approval</dt><dd>{(w.needsApproval ?? []).join(', ') || 'nothing'}</dd>
            <dt>Source</dt><dd>{w.source}</dd>
          </dl>
          <Controls workflow={w} me={me} onChange={workflow.reload} />
          <h2>History</h2>
          {(w.runs ?? []).length === 0 ? (
            <Empty>No runs yet.</Empty>
          ) : (
            <table aria-label="Workflow runs">
              <thead><tr><th>Run</th><th>Status</th><th>Trigger</th><th>Started</th><th>Ended</th></tr></thead>
              <tbody>
                {w.runs!.map((r) => (
                  <tr key={r.id}>
                    <td><a href={`#/runs/${enc(r.id)}`}><code>{r.id}</code></a></td>
                    <td><Status value={r.status} /></td>
                    <td>{r.trigger ?? ''}</td>
                    <td>{time(r.startedAt)}</td>
                    <td>{time(r.endedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Page>
  );
}
