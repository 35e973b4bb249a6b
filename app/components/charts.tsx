/**
 * The one chart family (recharts). Charts draw only in the browser: their size comes from the
 * layout, which the server does not know, so the server renders a placeholder of the same height.
 */
import { useEffect, useState } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export function BarChartCard<T extends Record<string, string | number>>({
  title,
  description,
  data,
  x,
  y,
  yLabel,
  height = 220,
}: {
  title: string;
  description?: string;
  data: T[];
  x: keyof T & string;
  y: keyof T & string;
  yLabel: string;
  height?: number;
}) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
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
                <XAxis dataKey={x} tick={{ fill: 'var(--muted)', fontSize: 12 }} stroke="var(--border)" />
                <YAxis
                  allowDecimals={false}
                  tick={{ fill: 'var(--muted)', fontSize: 12 }}
                  stroke="var(--border)"
                  width={40}
                />
                <Tooltip
                  cursor={{ fill: 'var(--surface-2)' }}
                  contentStyle={{
                    background: 'var(--surface)',
                    border: '1px solid var(--border)',
                    color: 'var(--text)',
                  }}
                />
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
