import { type ReactNode, useId } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * Small charts drawn as inline SVG (no chart library): bars for counts per bucket, lines for
 * times per bucket. Time runs left to right in both languages. The drawing is hidden from
 * assistive technology; the same numbers are in a table beside it (visually hidden) — the
 * chart's text alternative.
 */

export interface Series {
  name: string;
  /** One per bucket; null: nothing measured there (a gap in a line). */
  values: Array<number | null>;
  /** Colour class of the series (`series-1` …). */
  tone: 'series-1' | 'series-2';
}

interface ChartProps {
  title: string;
  labels: string[];
  series: Series[];
  /** How a value reads, in the table and the tooltips. */
  format: (value: number | null) => string;
  testId: string;
}

const WIDTH = 640;
const HEIGHT = 180;
const PAD = { top: 12, bottom: 24, left: 8, right: 8 };
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;
const PLOT_W = WIDTH - PAD.left - PAD.right;

const maxOf = (series: Series[]) =>
  Math.max(1, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
const yOf = (value: number, max: number) => PAD.top + PLOT_H - (value / max) * PLOT_H;
/** Every k-th label, so they do not overlap. */
const labelStep = (n: number) => Math.max(1, Math.ceil(n / 8));

export function BarChart({ title, labels, series, format, testId }: ChartProps) {
  const max = maxOf(series);
  const slot = PLOT_W / Math.max(1, labels.length);
  const bar = (slot * 0.8) / series.length;
  return (
    <Chart title={title} labels={labels} series={series} format={format} testId={testId} max={max}>
      {labels.map((label, i) =>
        series.map((s, k) => {
          const value = s.values[i] ?? 0;
          const y = yOf(value, max);
          return (
            <rect
              key={`${label}-${s.name}`}
              className={s.tone}
              x={PAD.left + i * slot + slot * 0.1 + k * bar}
              y={y}
              width={Math.max(1, bar - 1)}
              height={PAD.top + PLOT_H - y}
            >
              <title>{`${label} · ${s.name}: ${format(s.values[i] ?? null)}`}</title>
            </rect>
          );
        }),
      )}
    </Chart>
  );
}

export function LineChart({ title, labels, series, format, testId }: ChartProps) {
  const max = maxOf(series);
  const slot = PLOT_W / Math.max(1, labels.length);
  const xOf = (i: number) => PAD.left + i * slot + slot / 2;
  return (
    <Chart title={title} labels={labels} series={series} format={format} testId={testId} max={max}>
      {series.map((s) => (
        <g key={s.name} className={s.tone}>
          {segments(s.values).map((segment) => (
            <polyline
              key={segment[0]}
              fill="none"
              points={segment.map((i) => `${xOf(i)},${yOf(s.values[i]!, max)}`).join(' ')}
            />
          ))}
          {s.values.map((v, i) =>
            v === null ? null : (
              <circle key={labels[i]} cx={xOf(i)} cy={yOf(v, max)} r={3}>
                <title>{`${labels[i]} · ${s.name}: ${format(v)}`}</title>
              </circle>
            ),
          )}
        </g>
      ))}
    </Chart>
  );
}

/** Runs of consecutive measured buckets (indexes), each drawn as one line. */
function segments(values: Array<number | null>): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (run.length > 0) runs.push(run);
      run = [];
    } else run.push(i);
  });
  if (run.length > 0) runs.push(run);
  return runs;
}

function Chart({
  title,
  labels,
  series,
  format,
  testId,
  max,
  children,
}: ChartProps & { max: number; children: ReactNode }) {
  const { t } = useTranslation();
  const id = useId();
  const step = labelStep(labels.length);
  const slot = PLOT_W / Math.max(1, labels.length);
  return (
    <figure className="report-chart" data-testid={testId} aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} aria-hidden="true" focusable="false" role="presentation">
        <line
          className="axis"
          x1={PAD.left}
          x2={WIDTH - PAD.right}
          y1={PAD.top + PLOT_H}
          y2={PAD.top + PLOT_H}
        />
        <text className="axis-label" x={PAD.left} y={PAD.top - 2}>
          {format(max)}
        </text>
        {children}
        {labels.map((label, i) =>
          i % step === 0 ? (
            <text
              key={label}
              className="axis-label"
              x={PAD.left + i * slot + slot / 2}
              y={HEIGHT - 6}
              textAnchor="middle"
            >
              {label}
            </text>
          ) : null,
        )}
      </svg>
      <ul className="report-legend" aria-hidden="true">
        {series.map((s) => (
          <li key={s.name}>
            <span className={`swatch ${s.tone}`} />
            {s.name}
          </li>
        ))}
      </ul>
      <table className="visually-hidden">
        <caption>{`${title} (${t('reports.charts.asTable')})`}</caption>
        <thead>
          <tr>
            <th scope="col">{t('reports.metric.bucket')}</th>
            {series.map((s) => (
              <th key={s.name} scope="col">
                {s.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {labels.map((label, i) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              {series.map((s) => (
                <td key={s.name}>{format(s.values[i] ?? null)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
