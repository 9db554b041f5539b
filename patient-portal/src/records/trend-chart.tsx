import { useId } from 'react';
import type { Trend } from './trends.js';

/** The chart's drawing box (SVG user units; the SVG scales to the card's width). */
const WIDTH = 560;
const HEIGHT = 250;
const MARGIN = { top: 16, right: 24, bottom: 52, left: 72 } as const;
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

/** A FHIR date or dateTime as its date (YYYY-MM-DD). */
function day(value: string): string {
  return /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : value;
}

/** A tick value without floating-point noise (0.30000000000000004 → 0.3), to the step's decimals. */
function tickText(value: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return value.toFixed(Math.min(decimals, 6));
}

/** "Nice" ticks (steps of 1, 2 or 5 × 10ⁿ) spanning [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count = 4): { ticks: number[]; step: number } {
  if (min === max) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    [min, max] = [min - pad, max + pad];
  }
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let t = first; t <= max + step * 1e-9 || ticks.length < 2; t += step) ticks.push(Number(t.toFixed(10)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toFixed(10)));
  return { ticks, step };
}

function withUnit(value: string, unit: string): string {
  return unit ? `${value} ${unit}` : value;
}

/**
 * A trend of one vital sign or lab code as an inline SVG line chart (no chart library): values over time, the
 * y axis labelled with the unit, the x axis with dates, the reference range shaded when the records give one.
 * For assistive technology the SVG is one image named by its title and described by every value; the same values
 * are in the table under it.
 */
export function TrendChart({ trend }: { trend: Trend }) {
  const titleId = useId();
  const descId = useId();
  const { points, unit, range } = trend;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const values = [...points.map((p) => p.value), ...(range?.low !== undefined ? [range.low] : []), ...(range?.high !== undefined ? [range.high] : [])];
  const { ticks, step } = niceTicks(Math.min(...values), Math.max(...values));
  const [yMin, yMax] = [ticks[0]!, ticks[ticks.length - 1]!];
  const y = (v: number) => MARGIN.top + PLOT_H - ((v - yMin) / (yMax - yMin)) * PLOT_H;
  const span = last.time - first.time;
  // All on one instant: spread them evenly rather than stack them.
  const x = (time: number, i: number) => MARGIN.left + (span > 0 ? ((time - first.time) / span) * PLOT_W : (points.length > 1 ? i / (points.length - 1) : 0.5) * PLOT_W);
  const xTicks = span > 0 ? [{ at: x(first.time, 0), text: day(first.when) }, { at: x(first.time + span / 2, 0), text: new Date(first.time + span / 2).toISOString().slice(0, 10) }, { at: x(last.time, 0), text: day(last.when) }] : [{ at: MARGIN.left + PLOT_W / 2, text: day(first.when) }];
  const distinctTicks = xTicks.filter((t, i) => xTicks.findIndex((u) => u.text === t.text) === i);
  const axisLabel = unit ? `Value (${unit})` : 'Value';
  const title = `${trend.title}: ${points.length} values in ${unit || 'no unit'}, from ${day(first.when)} to ${day(last.when)}`;
  const rangeText = range ? `Normal range ${range.low ?? '…'} to ${range.high ?? '…'}${unit ? ` ${unit}` : ''}.` : '';
  const description = `${points.map((p) => `${day(p.when)}: ${withUnit(String(p.value), unit)}`).join('; ')}. ${rangeText}`.trim();
  const line = points.map((p, i) => `${x(p.time, i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const band = range && {
    top: y(Math.min(range.high ?? yMax, yMax)),
    bottom: y(Math.max(range.low ?? yMin, yMin)),
  };

  return (
    <figure className="trend" data-testid={`trend-${trend.code}`} data-code={trend.code} data-unit={unit} data-points={points.length}>
      <figcaption className="trend__caption">
        <strong>{trend.title}</strong> <span className="trend__code">LOINC {trend.code}</span>
        <span className="trend__latest" data-testid="trend-latest">
          Latest {withUnit(String(last.value), unit)} on {day(last.when)}
        </span>
      </figcaption>
      <svg className="trend__svg" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={titleId} aria-describedby={descId} preserveAspectRatio="xMidYMid meet">
        <title id={titleId}>{title}</title>
        <desc id={descId}>{description}</desc>
        {band && band.bottom > band.top && <rect className="trend__range" x={MARGIN.left} y={band.top} width={PLOT_W} height={band.bottom - band.top} />}
        <g className="trend__axis">
          {ticks.map((t) => (
            <g key={t}>
              <line className="trend__grid" x1={MARGIN.left} x2={MARGIN.left + PLOT_W} y1={y(t)} y2={y(t)} />
              <text x={MARGIN.left - 8} y={y(t)} textAnchor="end" dominantBaseline="middle">
                {tickText(t, step)}
              </text>
            </g>
          ))}
          <line className="trend__axis-line" x1={MARGIN.left} x2={MARGIN.left + PLOT_W} y1={MARGIN.top + PLOT_H} y2={MARGIN.top + PLOT_H} />
          {distinctTicks.map((t, i) => (
            <text key={t.text} x={t.at} y={MARGIN.top + PLOT_H + 18} textAnchor={distinctTicks.length > 1 && i === 0 ? 'start' : distinctTicks.length > 1 && i === distinctTicks.length - 1 ? 'end' : 'middle'} data-testid="trend-date">
              {t.text}
            </text>
          ))}
          <text className="trend__label" x={MARGIN.left + PLOT_W / 2} y={HEIGHT - 8} textAnchor="middle">
            Date
          </text>
          <text className="trend__label" transform={`translate(16 ${MARGIN.top + PLOT_H / 2}) rotate(-90)`} textAnchor="middle" data-testid="trend-unit">
            {axisLabel}
          </text>
        </g>
        <polyline className="trend__line" points={line} />
        {points.map((p, i) => (
          <circle key={`${p.recordId}-${i}`} className="trend__point" cx={x(p.time, i)} cy={y(p.value)} r={4}>
            <title>{`${day(p.when)}: ${withUnit(String(p.value), unit)}`}</title>
          </circle>
        ))}
      </svg>
      {trend.otherUnits > 0 && (
        <p className="trend__note">
          {trend.otherUnits === 1 ? '1 value' : `${trend.otherUnits} values`} in another unit {trend.otherUnits === 1 ? 'is' : 'are'} not drawn: units are never converted here.
        </p>
      )}
      <details className="trend__values">
        <summary>The values</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">{axisLabel}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p, i) => (
              <tr key={`${p.recordId}-${i}`} data-testid="trend-value">
                <td>{day(p.when)}</td>
                <td>{p.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
