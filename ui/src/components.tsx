// Small pieces shared by the pages: loading data, errors, status badges, times, a bar chart in SVG.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `deps` change (and on reload); every `refreshMs` too when given. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ data, loading: false }),
      (err) => !controller.signal.aborted && setState((s) => ({ data: s.data, error: message(err), loading: false })),
    );
    const timer = refreshMs ? setTimeout(reload, refreshMs) : undefined;
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [...deps, tick]);
  return { ...state, reload };
}

export function message(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.name === 'AbortError' ? 'cancelled' : err.message;
  return String(err);
}

/** Runs an action (a button's), keeping its error and whether it is under way. */
export function useAction(): { busy: boolean; error?: string; run: (action: () => Promise<unknown>) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);
  const run = useCallback(async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      if (mounted.current) setError(message(err));
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, []);
  return { busy, error, run };
}

export function ErrorBox({ error }: { error?: string }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

export function Status({ value }: { value: string }) {
  return <span class={`status status-${value.replace(/[^a-z-]/gi, '')}`}>{value}</span>;
}

export function Page({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title">{title}</h1>
        {actions}
      </header>
      {children}
    </section>
  );
}

export function time(iso?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function ms(value?: number): string {
  if (value === undefined || value === null) return '';
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`;
}

export function usd(value?: number): string {
  return value === undefined || value === null ? '' : `$${value < 0.01 && value > 0 ? value.toFixed(4) : value.toFixed(2)}`;
}

export function json(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** Next/previous over cursor-paged lists: keeps the cursors of the pages seen. */
export function usePager() {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  return {
    cursor,
    page: cursors.length + 1,
    next: (c: string) => setCursors((list) => [...list, c]),
    previous: () => setCursors((list) => list.slice(0, -1)),
    reset: () => setCursors([]),
  };
}

export function Pager({ pager, nextCursor }: { pager: ReturnType<typeof usePager>; nextCursor?: string }) {
  if (pager.page === 1 && !nextCursor) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={pager.page === 1} onClick={pager.previous}>
        Previous page
      </button>
      <span>Page {pager.page}</span>
      <button type="button" disabled={!nextCursor} onClick={() => nextCursor && pager.next(nextCursor)}>
        Next page
      </button>
    </nav>
  );
}

export interface ChartPoint {
  label: string;
  value: number;
}

/** A bar chart in SVG, one bar per bucket, with the maximum on the axis and each value in a tooltip. */
export function BarChart({ title, points, format = String, color = 'var(--accent)', summary }: { title: string; points: ChartPoint[]; format?: (v: number) => string; color?: string; summary?: string }) {
  const width = 560;
  const height = 160;
  const pad = { left: 56, right: 8, top: 10, bottom: 24 };
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const max = Math.max(0, ...points.map((p) => p.value));
  const scale = max > 0 ? innerH / max : 0;
  const step = points.length ? innerW / points.length : innerW;
  const bar = Math.max(1, step * 0.8);
  const labelEvery = Math.max(1, Math.ceil(points.length / 6));
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${title}: ${points.length} buckets, highest ${format(max)}`}>
        <line x1={pad.left} y1={pad.top + innerH} x2={width - pad.right} y2={pad.top + innerH} class="axis" />
        <line x1={pad.left} y1={pad.top} x2={pad.left} y2={pad.top + innerH} class="axis" />
        <text x={pad.left - 4} y={pad.top + 8} text-anchor="end" class="tick">
          {format(max)}
        </text>
        <text x={pad.left - 4} y={pad.top + innerH} text-anchor="end" class="tick">
          {format(0)}
        </text>
        {points.map((p, i) => {
          const h = p.value * scale;
          const x = pad.left + i * step + (step - bar) / 2;
          return (
            <g key={p.label}>
              <rect x={x} y={pad.top + innerH - h} width={bar} height={Math.max(h, p.value > 0 ? 1 : 0)} fill={color}>
                <title>{`${p.label}: ${format(p.value)}`}</title>
              </rect>
              {i % labelEvery === 0 && (
                <text x={x + bar / 2} y={height - 6} text-anchor="middle" class="tick">
                  {p.label}
                </text>
              )}
            </g>
          );
        })}
        {points.length === 0 && (
          <text x={pad.left + innerW / 2} y={pad.top + innerH / 2} text-anchor="middle" class="tick">
            no data
          </text>
        )}
      </svg>
      <p class="chart-total">{points.length ? `${summary ? `${summary}; ` : ''}peak ${format(max)}` : ''}</p>
    </figure>
  );
}
