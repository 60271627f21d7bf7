// Runs: the list, a form to start a task, and the live view of one run (its steps as they finish, read
// from the run's event stream), with approve/deny when it waits and cancel while it goes on.
import { useEffect, useState } from 'preact/hooks';
import { enc, FINAL_STATUSES, get, post, query, stream, type Me, type Run, type RunSummary } from '../api';
import { Empty, ErrorBox, json, message, ms, Page, Pager, Status, time, usd, useAction, useLoad, usePager } from '../components';

const STATUSES = ['', 'planning', 'running', 'needs-approval', 'succeeded', 'failed', 'cancelled', 'planned'];

function RunTask() {
  const [task, setTask] = useState('');
  const [dryRun, setDryRun] = useState(false);
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const answer = await post<{ runId: string }>('/runs', { task: task.trim(), dryRun });
      window.location.hash = `#/runs/${enc(answer.runId)}`;
    });
  };
  return (
    <form class="run-task" onSubmit={submit} aria-labelledby="run-task-title">
      <h2 id="run-task-title">Run a task</h2>
      <label for="task">Task</label>
      <textarea id="task" rows={3} value={task} placeholder="Create a ClickUp task for each unpaid Xero invoice and tell the team on Telegram" onInput={(e) => setTask((e.target as HTMLTextAreaElement).value)} />
      <div class="row">
        <label class="check">
          <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun((e.target as HTMLInputElement).checked)} /> Dry run (plan only)
        </label>
        <button type="submit" disabled={action.busy || !task.trim()}>
          {action.busy ? 'Starting…' : 'Run'}
        </button>
      </div>
      <ErrorBox error={action.error} />
    </form>
  );
}

export function RunsTable({ runs, label }: { runs: RunSummary[]; label: string }) {
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          <th>Task</th><th>Status</th><th>Trigger</th><th>Client</th><th>Started</th><th class="num">Time</th><th class="num">Steps</th><th class="num">Cost</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id}>
            <td class="wrap"><a href={`#/runs/${enc(r.id)}`}>{r.task || r.id}</a></td>
            <td><Status value={r.status} /></td>
            <td>{r.trigger ?? ''}</td>
            <td>{r.client ?? ''}</td>
            <td>{time(r.startedAt)}</td>
            <td class="num">{ms(r.ms)}</td>
            <td class="num">{r.steps}</td>
            <td class="num">{usd(r.usage?.costUsd)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Runs({ me }: { me: Me }) {
  const [status, setStatus] = useState('');
  const pager = usePager();
  const runs = useLoad((signal) => get<{ runs: RunSummary[]; nextCursor?: string }>(`/runs${query({ status, limit: 25, cursor: pager.cursor })}`, signal), [status, pager.cursor], 5000);
  return (
    <Page title="Runs">
      {(me.orchestrate || me.admin) && <RunTask />}
      <h2>Recent runs</h2>
      <form class="inline" onSubmit={(e) => e.preventDefault()}>
        <label for="run-status">Status</label>
        <select id="run-status" value={status} onChange={(e) => (setStatus((e.target as HTMLSelectElement).value), pager.reset())}>
          {STATUSES.map((s) => <option key={s} value={s}>{s || 'any'}</option>)}
        </select>
      </form>
      <ErrorBox error={runs.error} />
      {runs.data && runs.data.runs.length === 0 && <Empty>No runs yet.</Empty>}
      {runs.data && runs.data.runs.length > 0 && <RunsTable runs={runs.data.runs} label="Runs" />}
      <Pager pager={pager} nextCursor={runs.data?.nextCursor} />
    </Page>
  );
}

type Live = 'connecting' | 'live' | 'polling' | 'stopped';

/** Follows a run: its event stream (fetch + SSE parsing), or polling when the stream is not available. */
function useRun(id: string) {
  const [run, setRun] = useState<Run>();
  const [error, setError] = useState<string>();
  const [live, setLive] = useState<Live>('connecting');
  const [updates, setUpdates] = useState(0);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    const settled = (r?: Run) => !!r && (FINAL_STATUSES.has(r.status) || r.status === 'needs-approval');
    const pause = (msDelay: number) => new Promise((r) => setTimeout(r, msDelay));
    const follow = async () => {
      let last: Run | undefined;
      const since = Date.now();
      setLive('connecting');
      // The event stream, reconnected when it ends before the run settles; a run just started may not be
      // recorded yet (404): ask again for a while.
      for (;;) {
        try {
          await stream(
            `/runs/${enc(id)}/events`,
            (event, data) => {
              if (event !== 'run' && event !== 'message') return;
              last = JSON.parse(data) as Run;
              setRun(last);
              setError(undefined);
              setLive('live');
              setUpdates((n) => n + 1);
            },
            signal,
          );
          if (signal.aborted) return;
          if (last && settled(last)) return setLive('stopped');
          await pause(250);
        } catch (err) {
          if (signal.aborted) return;
          const status = (err as { status?: number }).status;
          if (status === 401) return;
          if (status === 404 && !last) {
            // Planning can take a while with a real model; say so after a few seconds, give up after 5 minutes.
            const waited = Date.now() - since;
            if (waited < 300_000) {
              if (waited > 10_000) setError(`${message(err)}; asking again`);
              await pause(waited < 10_000 ? 500 : 2000);
              continue;
            }
            setError(message(err));
            return setLive('stopped');
          }
          break;
        }
      }
      // No stream (a proxy in the way, an older hub): ask for the record until the run settles.
      setLive('polling');
      while (!signal.aborted) {
        try {
          last = await get<Run>(`/runs/${enc(id)}`, signal);
          setRun(last);
          setError(undefined);
          if (settled(last)) return setLive('stopped');
        } catch (err) {
          if (signal.aborted) return;
          setError(message(err));
        }
        await pause(1000);
      }
    };
    void follow();
    return () => controller.abort();
  }, [id, generation]);
  return { run, setRun, error, live, updates, refollow: () => setGeneration((g) => g + 1) };
}

function ApprovalBox({ run, onDone }: { run: Run; onDone: (run: Run) => void }) {
  const action = useAction();
  const answer = (approve: boolean) =>
    action.run(async () => {
      onDone(await post<Run>(`/runs/${enc(run.id)}/approve`, { approve }));
    });
  return (
    <section class="approval" aria-labelledby="approval-title">
      <h2 id="approval-title">Waiting for approval</h2>
      {run.approval?.message && <p>{run.approval.message}</p>}
      <ul>
        {run.approval?.steps.map((s) => (
          <li key={s.step}>
            step <code>{s.step}</code> calls <code>{s.tool}</code>
            {s.reason ? `: ${s.reason}` : ''}
          </li>
        ))}
      </ul>
      <div class="row">
        <button type="button" class="primary" disabled={action.busy} onClick={() => answer(true)}>
          Approve
        </button>
        <button type="button" class="danger" disabled={action.busy} onClick={() => answer(false)}>
          Deny
        </button>
        {action.busy && <span>Sending…</span>}
      </div>
      <ErrorBox error={action.error} />
    </section>
  );
}

export function RunView({ id }: { id: string }) {
  const { run, setRun, error, live, updates, refollow } = useRun(id);
  const cancel = useAction();
  const answered = (next: Run) => {
    setRun(next);
    if (!FINAL_STATUSES.has(next.status) && next.status !== 'needs-approval') refollow();
  };
  const active = run && !FINAL_STATUSES.has(run.status);
  return (
    <Page
      title="Run"
      actions={
        active ? (
          <button type="button" disabled={cancel.busy} onClick={() => cancel.run(() => post(`/runs/${enc(id)}/cancel`).then(refollow))}>
            Cancel run
          </button>
        ) : undefined
      }
    >
      <p><a href="#/runs">← All runs</a></p>
      <ErrorBox error={error ?? cancel.error} />
      {!run && !error && <p class="loading">Loading run {id}…</p>}
      {run && (
        <>
          <dl class="facts">
            <dt>Task</dt><dd class="wrap">{run.task ?? '(a plan)'}</dd>
            <dt>Status</dt><dd data-testid="run-status"><Status value={run.status} /></dd>
            <dt>Run</dt><dd><code>{run.id}</code></dd>
            <dt>Started</dt><dd>{time(run.startedAt)}{run.endedAt ? `, ended ${time(run.endedAt)}` : ''}{run.ms !== undefined ? ` (${ms(run.ms)})` : ''}</dd>
            <dt>By</dt><dd>{[run.client, run.trigger, run.planSource && `plan: ${run.planSource}`].filter(Boolean).join(', ')}</dd>
            {run.usage && (<><dt>Model use</dt><dd>{run.usage.llmCalls} calls, {run.usage.inputTokens} in / {run.usage.outputTokens} out tokens, {usd(run.usage.costUsd)}</dd></>)}
          </dl>
          <p class="live" aria-live="polite">
            {live === 'live' ? `Live: ${updates} update${updates === 1 ? '' : 's'}` : live === 'polling' ? 'Refreshing every second' : live === 'connecting' ? 'Connecting…' : `${updates} update${updates === 1 ? '' : 's'} received`}
          </p>
          {run.status === 'needs-approval' && <ApprovalBox run={run} onDone={answered} />}
          {run.error && run.status !== 'needs-approval' && <p class="error" role="alert">{run.error}</p>}
          {run.summary && <p class="summary">{run.summary}</p>}
          <h2>Steps</h2>
          {run.steps.length === 0 ? (
            <Empty>{run.status === 'planning' ? 'Planning…' : 'No steps.'}</Empty>
          ) : (
            <table aria-label="Steps">
              <thead>
                <tr><th>Step</th><th>Tool</th><th>Status</th><th class="num">Time</th><th class="num">Iterations</th><th>Details</th></tr>
              </thead>
              <tbody>
                {run.steps.map((s) => (
                  <tr key={s.id} data-step={s.id}>
                    <th scope="row">{s.id}</th>
                    <td><code>{s.tool ?? '(model)'}</code></td>
                    <td><Status value={s.status} /></td>
                    <td class="num">{ms(s.ms)}</td>
                    <td class="num">{s.iterations ?? ''}</td>
                    <td class="wrap">
                      {s.error && <span class="error-text">{s.error}</span>}
                      {(s.args !== undefined || s.result !== undefined) && (
                        <details>
                          <summary>arguments and result</summary>
                          {s.args !== undefined && <pre>{json(s.args)}</pre>}
                          {s.result !== undefined && <pre>{json(s.result)}</pre>}
                        </details>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {run.plan !== undefined && (
            <details>
              <summary>Plan</summary>
              <pre>{json(run.plan)}</pre>
            </details>
          )}
        </>
      )}
    </Page>
  );
}
