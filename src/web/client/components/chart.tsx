/**
 * Charts, drawn with Apache ECharts (SVG renderer, bundled): bar, horizontal bar, line, stacked
 * (pivoted) bars and box plots, from a panel's chart spec and rows. Clicking a bar, point or box
 * calls `onSelect` with the row behind it (the drill-down); the same rows are reachable by
 * keyboard through the panel's table view. ECharts' aria module describes each chart in words.
 */
import * as echarts from 'echarts/core';
import { BarChart, BoxplotChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';
import type { Cell, ChartSpec, ValueFormat } from '../api-types.ts';
import { formatValue } from '../format.ts';

echarts.use([BarChart, LineChart, BoxplotChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, SVGRenderer]);

export const PALETTE = ['#4f46e5', '#0891b2', '#d97706', '#059669', '#db2777', '#7c3aed', '#64748b', '#65a30d'];
const TONES = { good: '#059669', warn: '#d97706', bad: '#dc2626', neutral: '#334155' } as const;
const TEXT = '#334155';
const MUTED = '#64748b';
const GRID = '#e2e8f0';

export type RowObject = Record<string, Cell>;

/** A chart of `rows` (objects keyed by column name); `onSelect` gets the index of the clicked row. */
export function Chart(props: { spec: ChartSpec; rows: RowObject[]; label: string; onSelect?: (rowIndex: number) => void; height?: number }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | undefined>(undefined);
  const select = useRef(props.onSelect);
  select.current = props.onSelect;

  useEffect(() => {
    const node = el.current!;
    const c = echarts.init(node, undefined, { renderer: 'svg' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(node);
    return () => {
      ro.disconnect();
      c.dispose();
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    const built = buildOption(props.spec, props.rows, props.label, el.current?.clientWidth ?? 600);
    c.setOption(built.option, { notMerge: true });
    c.off('click');
    c.on('click', (p: { dataIndex?: number; seriesIndex?: number }) => {
      if (p.dataIndex === undefined) return;
      const row = built.rowOf(p.dataIndex, p.seriesIndex ?? 0);
      if (row !== undefined) select.current?.(row);
    });
  }, [props.spec, props.rows, props.label]);

  return <div ref={el} class={`chart ${props.onSelect ? 'chart-clickable' : ''}`} style={{ height: `${props.height ?? chartHeight(props.spec, props.rows.length)}px` }} />;
}

export function chartHeight(spec: ChartSpec, rows: number): number {
  if (spec.type === 'hbar' || spec.type === 'boxplot') return Math.max(220, Math.min(560, 64 + rows * (spec.type === 'boxplot' ? 40 : 30)));
  return 300;
}

interface Built {
  option: echarts.EChartsCoreOption;
  /** The row behind a clicked data point. */
  rowOf(dataIndex: number, seriesIndex: number): number | undefined;
}

const axisFormatter = (f: ValueFormat) => (v: number) => (f === 'pct' ? `${Math.round(v * 100)}%` : f === 'int' ? formatValue(v, 'int') : formatValue(v, f === 'hours' || f === 'days' ? 'number' : f));
const valueAxis = (f: ValueFormat, grid: boolean) => ({
  type: 'value',
  minInterval: f === 'int' ? 1 : undefined,
  // Rates run 0–100 % in quarters.
  ...(f === 'pct' ? { min: 0, max: 1, interval: 0.25 } : {}),
  axisLabel: { formatter: axisFormatter(f), color: MUTED, hideOverlap: true },
  splitLine: grid ? { lineStyle: { color: GRID } } : { show: false },
});
const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function base(label: string): echarts.EChartsCoreOption {
  return {
    color: PALETTE,
    aria: { enabled: true, label: { description: label } },
    textStyle: { fontFamily: fontFamily(), color: TEXT },
    // No motion for people who asked for none (and for the browser tests, which ask so).
    animation: !matchMedia('(prefers-reduced-motion: reduce)').matches,
    animationDuration: 300,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true, textStyle: { fontSize: 12 } },
    legend: { top: 0, left: 0, itemWidth: 12, itemHeight: 12, textStyle: { color: MUTED, fontSize: 12 }, icon: 'roundRect' },
  };
}

export function buildOption(spec: ChartSpec, rows: RowObject[], label: string, width = 600): Built {
  const o = base(describe(spec, rows, label));
  // Category labels of horizontal charts get about a third of the width (less on a phone).
  const labelChars = Math.max(10, Math.min(64, Math.round(width / (width < 420 ? 26 : 18))));
  switch (spec.type) {
    case 'bar':
    case 'line':
    case 'hbar': {
      const horizontal = spec.type === 'hbar';
      const cats = rows.map((r) => formatValue(r[spec.category] ?? null, spec.categoryFormat));
      const primary = spec.series.find((s) => s.axis !== 1) ?? spec.series[0]!;
      const secondary = spec.series.find((s) => s.axis === 1);
      const valueAxes = [
        valueAxis(primary.format, true),
        ...(secondary ? [valueAxis(secondary.format, false)] : []),
      ];
      const catAxis = {
        type: 'category',
        data: cats,
        inverse: horizontal,
        axisLabel: { color: MUTED, formatter: (v: string) => truncate(v, horizontal ? labelChars : 14), hideOverlap: true },
        axisTick: { show: false },
        axisLine: { lineStyle: { color: GRID } },
      };
      // In a line chart, a series on the secondary axis (a count behind the lines) is drawn as faint bars.
      const asBar = (s: (typeof spec.series)[number]) => (spec.type === 'line' ? s.axis === 1 : !s.line);
      const series = spec.series.map((s, i) => ({
        name: s.name,
        type: asBar(s) ? 'bar' : 'line',
        data: rows.map((r) => num(r[s.column])),
        stack: s.stack,
        [horizontal ? 'xAxisIndex' : 'yAxisIndex']: s.axis === 1 ? 1 : 0,
        itemStyle:
          spec.type === 'line' && asBar(s)
            ? { color: '#cbd5e1', borderRadius: [3, 3, 0, 0] }
            : { color: s.tone ? TONES[s.tone] : PALETTE[i % PALETTE.length], borderRadius: s.stack ? 0 : horizontal ? [0, 3, 3, 0] : [3, 3, 0, 0] },
        barMaxWidth: 28,
        symbolSize: 7,
        showSymbol: rows.length <= 40,
        smooth: false,
        tooltip: { valueFormatter: (v: number) => formatValue(v, s.format) },
        emphasis: { focus: 'series' },
      }));
      Object.assign(o, {
        grid: { left: 8, right: secondary ? 8 : 16, top: 36, bottom: 8, containLabel: true },
        xAxis: horizontal ? valueAxes : catAxis,
        yAxis: horizontal ? catAxis : valueAxes,
        series,
      });
      return { option: o, rowOf: (i) => i };
    }
    case 'pivot': {
      const catKeys: string[] = [];
      const catRow = new Map<string, number>();
      const seriesNames: string[] = [];
      rows.forEach((r, i) => {
        const k = String(r[spec.category]);
        if (!catRow.has(k)) {
          catRow.set(k, i);
          catKeys.push(k);
        }
        const s = String(r[spec.seriesColumn]);
        if (!seriesNames.includes(s)) seriesNames.push(s);
      });
      // "Other" last, whatever its alphabetical place.
      seriesNames.sort((a, b) => (a === 'Other' ? 1 : b === 'Other' ? -1 : 0));
      const value = new Map(rows.map((r) => [`${String(r[spec.category])}\u0000${String(r[spec.seriesColumn])}`, num(r[spec.value])]));
      Object.assign(o, {
        grid: { left: 8, right: 16, top: seriesNames.length > 4 ? 64 : 36, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: catKeys.map((k) => formatValue(k, spec.categoryFormat)), axisLabel: { color: MUTED, hideOverlap: true }, axisTick: { show: false } },
        yAxis: valueAxis(spec.format, true),
        series: seriesNames.map((s, i) => ({
          name: truncate(s, 28),
          type: 'bar',
          stack: 'all',
          data: catKeys.map((k) => value.get(`${k}\u0000${s}`) ?? 0),
          itemStyle: { color: s === 'Other' ? '#cbd5e1' : PALETTE[i % PALETTE.length] },
          tooltip: { valueFormatter: (v: number) => formatValue(v, spec.format) },
          barMaxWidth: 32,
        })),

      });
      return { option: o, rowOf: (i) => catRow.get(catKeys[i]!) };
    }
    case 'boxplot': {
      const cats = rows.map((r) => String(r[spec.category] ?? ''));
      Object.assign(o, {
        grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
        tooltip: {
          trigger: 'item',
          confine: true,
          formatter: (p: { dataIndex: number }) => {
            const r = rows[p.dataIndex]!;
            const [p10, p25, p50, p75, p90] = spec.box.map((c) => formatValue(r[c] ?? null, spec.format));
            return `<strong>${escapeHtml(cats[p.dataIndex] ?? '')}</strong><br/>${formatValue(r[spec.count] ?? null, 'int')} tasks<br/>10th percentile: ${p10}<br/>25th: ${p25}<br/>Median: ${p50}<br/>75th: ${p75}<br/>90th: ${p90}`;
          },
        },
        legend: { show: false },
        xAxis: valueAxis(spec.format, true),
        yAxis: { type: 'category', data: cats, inverse: true, axisLabel: { color: MUTED, formatter: (v: string) => truncate(v, labelChars) }, axisTick: { show: false } },
        series: [
          {
            name: 'Distribution',
            type: 'boxplot',
            data: rows.map((r) => spec.box.map((c) => num(r[c]) ?? 0)),
            itemStyle: { color: '#e0e7ff', borderColor: PALETTE[0] },
            boxWidth: [8, 22],
          },
        ],
      });
      return { option: o, rowOf: (i) => i };
    }
    default:
      return { option: o, rowOf: () => undefined };
  }
}

/** The chart in words, for screen readers: its title and its first data points. */
export function describe(spec: ChartSpec, rows: RowObject[], label: string): string {
  const first = rows.slice(0, 8);
  switch (spec.type) {
    case 'bar':
    case 'hbar':
    case 'line':
      return `${label}. ${spec.series.map((s) => s.name).join(', ')} for ${rows.length} ${rows.length === 1 ? 'item' : 'items'}: ${first
        .map((r) => `${formatValue(r[spec.category] ?? null, spec.categoryFormat)}: ${spec.series.map((s) => formatValue(r[s.column] ?? null, s.format)).join(', ')}`)
        .join('; ')}${rows.length > first.length ? '; …' : ''}. The table view lists every value.`;
    case 'pivot':
      return `${label}. ${spec.value} by ${spec.category} and ${spec.seriesColumn}, ${rows.length} values. The table view lists every value.`;
    case 'boxplot':
      return `${label}. Distribution for ${rows.length} items: ${first.map((r) => `${String(r[spec.category] ?? '')}: median ${formatValue(r[spec.box[2]] ?? null, spec.format)}`).join('; ')}. The table view lists every value.`;
    default:
      return label;
  }
}

/** The page's font, so ECharts measures labels with the font they are drawn in. */
function fontFamily(): string {
  return getComputedStyle(document.body).fontFamily || 'sans-serif';
}

function num(v: Cell | undefined): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
