// Usage and cost: calls, errors, latency and model cost per hour or day, drawn as SVG bar charts.
import { useState } from 'preact/hooks';
import { get, query, type Bucket } from '../api';
import { BarChart, ErrorBox, ms, Page, usd, useLoad } from '../components';

type Period = 'hour' | 'day';

function label(iso: string, period: Period): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return period === 'hour' ? `${String(d.getHours()).padStart(2, '0')}:00` : `${d.getMonth() + 1}/${d.getDate()}`;
}

export function Usage() {
  const [period, setPeriod] = useState<Period>('hour');
  const usage = useLoad(
    (signal) => {
      const since = new Date(Date.now() - (period === 'hour' ? 24 * 3600_000 : 30 * 86400_000)).toISOString();
      return get<{ period: Period; buckets: Bucket[]; totals: Omit<Bucket, 'start'> }>(`/usage${query({ period, since })}`, signal);
    },
    [period],
    30_000,
  );
  const buckets = usage.data?.buckets ?? [];
  const series = (pick: (b: Bucket) => number) => buckets.map((b) => ({ label: label(b.start, period), value: pick(b) }));
  const t = usage.data?.totals;
  return (
    <Page
      title="Usage and cost"
      actions={
        <form class="inline" onSubmit={(e) => e.preventDefault()}>
          <label for="usage-period">Per</label>
          <select id="usage-period" value={period} onChange={(e) => setPeriod((e.target as HTMLSelectElement).value as Period)}>
            <option value="hour">hour (last 24 hours)</option>
            <option value="day">day (last 30 days)</option>
          </select>
        </form>
      }
    >
      <ErrorBox error={usage.error} />
      {t && (
        <dl class="totals" aria-label="Totals">
          <div><dt>Calls</dt><dd>{t.calls}</dd></div>
          <div><dt>Errors</dt><dd>{t.errors}</dd></div>
          <div><dt>Average latency</dt><dd>{ms(t.avgMs)}</dd></div>
          <div><dt>Model calls</dt><dd>{t.llmCalls}</dd></div>
          <div><dt>Tokens in / out</dt><dd>{t.inputTokens} / {t.outputTokens}</dd></div>
          <div><dt>Cost</dt><dd>{usd(t.costUsd)}</dd></div>
        </dl>
      )}
      {usage.data && (
        <div class="charts">
          <BarChart title="Tool calls" points={series((b) => b.calls)} summary={t ? `${t.calls} in all` : undefined} />
          <BarChart title="Errors" points={series((b) => b.errors)} color="var(--bad)" summary={t ? `${t.errors} in all` : undefined} />
          <BarChart title="Average latency" points={series((b) => b.avgMs)} format={(v) => ms(v)} color="var(--warn)" />
          <BarChart title="Model cost" points={series((b) => b.costUsd)} format={(v) => usd(v)} color="var(--good)" summary={t ? `${usd(t.costUsd)} in all` : undefined} />
        </div>
      )}
    </Page>
  );
}
