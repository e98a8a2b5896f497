/**
 * A small hand-written SVG bar chart for benchmark reports: one bar per sample, plus labelled
 * horizontal reference lines (an ideal, a baseline). Plain SVG 1.1 with inline styles, so it
 * renders on GitHub and in any browser without a plotting library.
 */

export interface Bar {
  label: string
  value: number
}

export interface ReferenceLine {
  label: string
  value: number
  color: string
  /** SVG stroke-dasharray, e.g. `6 4`; solid when absent. */
  dash?: string
}

export interface BarChartOptions {
  title: string
  subtitle?: string
  bars: readonly Bar[]
  lines?: readonly ReferenceLine[]
  xLabel: string
  yLabel: string
  /** Printed above each bar, e.g. `(v) => v.toFixed(1)`. */
  formatValue?: (value: number) => string
  width?: number
  height?: number
  barColor?: string
}

const WIDTH = 940
const HEIGHT = 440
/** The right margin holds the reference lines' labels, clear of the bars. */
const MARGIN = { top: 64, right: 235, bottom: 64, left: 64 }
const LABEL_GAP = 15
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"'

export function barChartSvg(options: BarChartOptions): string {
  const width = options.width ?? WIDTH
  const height = options.height ?? HEIGHT
  const lines = options.lines ?? []
  const format = options.formatValue ?? ((v: number) => v.toFixed(1))
  const plotW = width - MARGIN.left - MARGIN.right
  const plotH = height - MARGIN.top - MARGIN.bottom
  const top = niceCeiling(Math.max(1e-9, ...options.bars.map((b) => b.value), ...lines.map((l) => l.value)) * 1.05)
  const ticks = tickValues(top)
  const y = (v: number) => MARGIN.top + plotH - (v / top) * plotH
  const slot = plotW / Math.max(1, options.bars.length)
  const barW = Math.min(48, slot * 0.7)
  const out: string[] = []

  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(options.title)}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="26" ${FONT} font-size="17" font-weight="600" fill="#111827">${esc(options.title)}</text>`,
  )
  if (options.subtitle) out.push(`<text x="${MARGIN.left}" y="46" ${FONT} font-size="12.5" fill="#4b5563">${esc(options.subtitle)}</text>`)

  for (const t of ticks) {
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${r(y(t))}" y2="${r(y(t))}" stroke="#e5e7eb" stroke-width="1"/>`,
      `<text x="${MARGIN.left - 8}" y="${r(y(t) + 4)}" ${FONT} font-size="11.5" fill="#4b5563" text-anchor="end">${esc(formatTick(t))}</text>`,
    )
  }

  options.bars.forEach((bar, i) => {
    const cx = MARGIN.left + slot * (i + 0.5)
    const by = y(bar.value)
    out.push(
      `<rect x="${r(cx - barW / 2)}" y="${r(by)}" width="${r(barW)}" height="${r(MARGIN.top + plotH - by)}" fill="${options.barColor ?? '#93c5fd'}" rx="2"/>`,
      // Inside the bar's top when it is tall enough, so reference lines just above cannot cross it.
      `<text x="${r(cx)}" y="${r(MARGIN.top + plotH - by >= 20 ? by + 14 : by - 5)}" ${FONT} font-size="11" font-weight="600" fill="#1e3a8a" text-anchor="middle">${esc(format(bar.value))}</text>`,
      `<text x="${r(cx)}" y="${MARGIN.top + plotH + 16}" ${FONT} font-size="11" fill="#374151" text-anchor="middle">${esc(bar.label)}</text>`,
    )
  })

  const labelYs = spreadLabels(lines.map((line) => y(line.value)), LABEL_GAP)
  lines.forEach((line, i) => {
    const ly = y(line.value)
    const labelY = labelYs[i]!
    const end = MARGIN.left + plotW
    out.push(
      `<line x1="${MARGIN.left}" x2="${end}" y1="${r(ly)}" y2="${r(ly)}" stroke="${line.color}" stroke-width="2.5"${line.dash ? ` stroke-dasharray="${line.dash}"` : ''}/>`,
      // A short leader from the line's end to its label, which may have been nudged off a neighbour.
      `<polyline points="${end},${r(ly)} ${end + 8},${r(labelY)} ${end + 12},${r(labelY)}" fill="none" stroke="${line.color}" stroke-width="1.5"/>`,
      `<text x="${end + 16}" y="${r(labelY + 4)}" ${FONT} font-size="12" font-weight="600" fill="${line.color}">${esc(line.label)}</text>`,
    )
  })

  out.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#9ca3af"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#9ca3af"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${height - 16}" ${FONT} font-size="12.5" fill="#374151" text-anchor="middle">${esc(options.xLabel)}</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" ${FONT} font-size="12.5" fill="#374151" text-anchor="middle">${esc(options.yLabel)}</text>`,
    '</svg>',
  )
  return out.join('\n') + '\n'
}

/** Label positions near `ys` but at least `gap` apart, keeping their order. */
function spreadLabels(ys: readonly number[], gap: number): number[] {
  const order = ys.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v)
  const placed: number[] = new Array(ys.length)
  let previous = Number.NEGATIVE_INFINITY
  for (const { v, i } of order) {
    previous = Math.max(v, previous + gap)
    placed[i] = previous
  }
  return placed
}

/** The smallest 1, 2 or 5 × 10^k at or above `value`, so the axis ends on a round number. */
export function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude
  return 10 * magnitude
}

function tickValues(top: number): number[] {
  const rough = top / 5
  const magnitude = 10 ** Math.floor(Math.log10(rough))
  const step = [1, 2, 2.5, 5, 10].map((s) => s * magnitude).find((s) => s >= rough) ?? rough
  const ticks: number[] = []
  for (let t = 0; t <= top + step / 1e6; t += step) ticks.push(Number(t.toPrecision(12)))
  return ticks
}

function formatTick(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(3)))
}

function r(value: number): string {
  return String(Math.round(value * 10) / 10)
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
