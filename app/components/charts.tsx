/**
 * The one chart family (recharts). Charts draw only in the browser: their size comes from the
 * layout, which the server does not know, so the server renders a placeholder of the same height.
 */
import { useEffect, useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

const TICK = { fill: 'var(--muted)', fontSize: 12 };
const TOOLTIP_STYLE = {
  background: 'var(--surface)',
  border: '1px solid var(--border)',
  color: 'var(--text)',
};
/** Series colours in order, the accent first; each reads in both colour schemes. */
const SERIES = ['var(--accent)', 'var(--warning)', 'var(--success)', 'var(--danger)'];

function useMounted(): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

export function BarChartCard<T extends Record<string, string | number>>({
  title,
  description,
  data,
  x,
  y,
  yLabel,
  yDomain,
  height = 220,
}: {
  title: string;
  description?: string;
  data: T[];
  x: keyof T & string;
  y: keyof T & string;
  yLabel: string;
  /** fixed y range, e.g. [0, 100] for percentages */
  yDomain?: [number, number];
  height?: number;
}) {
  const mounted = useMounted();
  const total = data.reduce((sum, d) => sum + Number(d[y]), 0);
  return (
    <figure className="card chart" aria-label={title}>
      <figcaption>
        <h3>{title}</h3>
        {description ? <p className="small muted">{description}</p> : null}
      </figcaption>
      <div
        style={{ height }}
        role="img"
        aria-label={`${title}: ${data.map((d) => `${d[x]} ${d[y]}`).join(', ')}`}
      >
        {mounted ? (
          total === 0 ? (
            <div className="empty">No data yet.</div>
          ) : (
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={data} margin={{ top: 8, right: 8, bottom: 4, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
                <XAxis dataKey={x} tick={TICK} stroke="var(--border)" />
                <YAxis allowDecimals={false} domain={yDomain} tick={TICK} stroke="var(--border)" width={40} />
                <Tooltip cursor={{ fill: 'var(--surface-2)' }} contentStyle={TOOLTIP_STYLE} />
                <Bar
                  dataKey={y}
                  name={yLabel}
                  fill="var(--accent)"
                  radius={[3, 3, 0, 0]}
                  isAnimationActive={false}
                />
              </BarChart>
            </ResponsiveContainer>
          )
        ) : null}
      </div>
    </figure>
  );
}

/** One or more series over a shared x axis (e.g. accuracy against training-set size). */
export function LineChartCard<T extends Record<string, string | number | null>>({
  title,
  description,
  data,
  x,
  xLabel,
  lines,
  yDomain,
  height = 220,
}: {
  title: string;
  description?: string;
  data: T[];
  x: keyof T & string;
  xLabel: string;
  lines: { key: keyof T & string; label: string }[];
  yDomain?: [number, number];
  height?: number;
}) {
  const mounted = useMounted();
  const summary = data
    .map((d) => `${xLabel} ${d[x]}: ${lines.map((l) => `${l.label} ${d[l.key] ?? '–'}`).join(', ')}`)
    .join('; ');
  return (
    <figure className="card chart" aria-label={title}>
      <figcaption>
        <h3>{title}</h3>
        {description ? <p className="small muted">{description}</p> : null}
      </figcaption>
      <div style={{ height }} role="img" aria-label={`${title}: ${summary}`}>
        {mounted ? (
          data.length === 0 ? (
            <div className="empty">No data yet.</div>
          ) : (
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
                <XAxis dataKey={x} tick={TICK} stroke="var(--border)" />
                <YAxis domain={yDomain} tick={TICK} stroke="var(--border)" width={40} />
                <Tooltip contentStyle={TOOLTIP_STYLE} labelFormatter={(v) => `${xLabel}: ${v}`} />
                {lines.length > 1 ? <Legend wrapperStyle={{ fontSize: 12 }} /> : null}
                {lines.map((line, i) => (
                  <Line
                    key={line.key}
                    type="monotone"
                    dataKey={line.key}
                    name={line.label}
                    stroke={SERIES[i % SERIES.length]}
                    strokeWidth={2}
                    dot={{ r: 3 }}
                    isAnimationActive={false}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          )
        ) : null}
      </div>
    </figure>
  );
}

/**
 * A word-sized trend line for a table cell: no axes, the values in order (nulls leave gaps). The
 * accessible name carries the numbers, since the picture has no labels.
 */
export function Sparkline({
  values,
  label,
  domain = [0, 1],
  width = 96,
  height = 24,
}: {
  values: (number | null)[];
  label: string;
  domain?: [number, number];
  width?: number;
  height?: number;
}) {
  const mounted = useMounted();
  const data = values.map((v, i) => ({ i, v }));
  const text = values.map((v) => (v === null ? '–' : v.toFixed(2))).join(', ');
  return (
    <span
      role="img"
      aria-label={`${label}: ${text || 'no data'}`}
      style={{ display: 'inline-block', width, height }}
    >
      {mounted && values.some((v) => v !== null) ? (
        <LineChart
          width={width}
          height={height}
          data={data}
          margin={{ top: 2, right: 2, bottom: 2, left: 2 }}
        >
          <YAxis hide domain={domain} />
          <Line
            type="monotone"
            dataKey="v"
            stroke="var(--accent)"
            strokeWidth={1.5}
            dot={false}
            isAnimationActive={false}
            connectNulls={false}
          />
        </LineChart>
      ) : null}
    </span>
  );
}
