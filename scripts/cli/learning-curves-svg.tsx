/**
 * The simulation report's chart as a standalone SVG file: median accuracy per strategy against
 * labels collected, with the seeds' range shaded. Drawn by recharts (the app's chart library) and
 * rendered to static markup, so the file and the app's charts look alike; the legend is drawn
 * inside the SVG because recharts' own legend is HTML.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { Area, CartesianGrid, ComposedChart, Line, XAxis, YAxis } from 'recharts';
import type { StrategySummary } from '../../tasks/active-learning/report';

const WIDTH = 760;
const HEIGHT = 420;
const LEGEND_ROW = 18;
/** random in grey (the reference), then distinct hues that survive greyscale printing reasonably */
const PALETTE = ['#1f6feb', '#d9480f', '#2f9e44', '#9c36b5', '#e67700', '#0c8599', '#c2255c', '#5c940d'];

function colourOf(name: string, index: number): string {
  return name === 'random' ? '#868e96' : PALETTE[index % PALETTE.length]!;
}

export function learningCurvesSvg(title: string, summaries: Record<string, StrategySummary>): string {
  const names = Object.keys(summaries);
  const labels = [...new Set(names.flatMap((n) => summaries[n]!.curve.map((p) => p.labels)))].sort(
    (a, b) => a - b,
  );
  const rows = labels.map((x) => {
    const row: Record<string, number | [number, number]> = { labels: x };
    for (const name of names) {
      const point = summaries[name]!.curve.find((p) => p.labels === x);
      if (!point) continue;
      row[name] = point.median * 100;
      row[`${name} range`] = [point.min * 100, point.max * 100];
    }
    return row;
  });
  const values = names.flatMap((n) => summaries[n]!.curve.flatMap((p) => [p.min, p.max]));
  const lo = Math.floor(Math.min(...values) * 100 - 1);
  const hi = Math.ceil(Math.max(...values) * 100 + 1);
  const legendHeight = Math.ceil(names.length / 3) * LEGEND_ROW + 20;
  const chartHeight = HEIGHT - legendHeight - 28;
  const chart = renderToStaticMarkup(
    <ComposedChart
      width={WIDTH}
      height={chartHeight}
      data={rows}
      margin={{ top: 8, right: 24, bottom: 24, left: 8 }}
    >
      <CartesianGrid stroke="#dee2e6" strokeDasharray="3 3" />
      <XAxis
        dataKey="labels"
        type="number"
        domain={['dataMin', 'dataMax']}
        tick={{ fontSize: 12, fill: '#495057' }}
        label={{
          value: 'labels collected',
          position: 'insideBottom',
          offset: -12,
          fontSize: 12,
          fill: '#495057',
        }}
      />
      <YAxis
        domain={[lo, hi]}
        tick={{ fontSize: 12, fill: '#495057' }}
        label={{
          value: 'held-out accuracy (%)',
          angle: -90,
          position: 'insideLeft',
          fontSize: 12,
          fill: '#495057',
        }}
      />
      {names.map((name, i) => (
        <Area
          key={`${name} range`}
          dataKey={`${name} range`}
          stroke="none"
          fill={colourOf(name, i)}
          fillOpacity={0.12}
          isAnimationActive={false}
        />
      ))}
      {names.map((name, i) => (
        <Line
          key={name}
          dataKey={name}
          stroke={colourOf(name, i)}
          strokeWidth={name === 'random' ? 2.5 : 2}
          strokeDasharray={name === 'random' ? '6 3' : undefined}
          dot={{ r: 2.5 }}
          isAnimationActive={false}
        />
      ))}
    </ComposedChart>,
  );
  const svg = /<svg[\s\S]*<\/svg>/.exec(chart)?.[0] ?? '';
  const inner = svg.replace(/^<svg[^>]*>/, '').replace(/<\/svg>$/, '');
  const legend = names
    .map((name, i) => {
      const x = 16 + (i % 3) * 248;
      const y = 28 + chartHeight + 16 + Math.floor(i / 3) * LEGEND_ROW;
      const s = summaries[name]!;
      const saving =
        name === 'random' || s.savings_vs_random === null
          ? ''
          : `, saves ${Math.round(s.savings_vs_random * 100)}%`;
      return `<rect x="${x}" y="${y - 9}" width="14" height="4" fill="${colourOf(name, i)}"/><text x="${x + 20}" y="${y - 4}" font-size="12" fill="#212529">${escapeXml(name)}${saving}</text>`;
    })
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="20" font-size="14" font-weight="600" fill="#212529">${escapeXml(title)}</text>`,
    `<g transform="translate(0, 28)">${inner}</g>`,
    legend,
    `</svg>\n`,
  ].join('');
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
