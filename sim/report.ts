/** The simulator's output: a readable report, a sweep table and an SVG plot of time against N. */
import { formatBytes, formatRate } from '../core/format.ts'
import type { SimTrace } from './flow-trace.ts'
import type { SimResult } from './simulation.ts'

export function textReport(r: SimResult): string {
  const ratio = (t: number) => `${t.toFixed(2)} s (${(t / r.idealSeconds).toFixed(2)} x ideal)`
  return [
    `${r.peers} peers + ${r.seeders} seeder(s), ${formatBytes(r.sizeBytes)} in ${r.pieces} pieces of ${formatBytes(r.pieceSize)}, ` +
      `${formatRate(r.bandwidth)} links, ${r.latencyMs} ms latency, churn ${r.churn}, ${r.granularity} granularity`,
    `completion  p50 ${ratio(r.p50Seconds)}  p99 ${ratio(r.p99Seconds)}  max ${ratio(r.maxSeconds)}  (${r.completed}/${r.finishers} done)`,
    `ideal S/U ${r.idealSeconds.toFixed(2)} s, client-server N*S/U ${r.clientServerSeconds.toFixed(2)} s ` +
      `(Shoal's max is ${(r.clientServerSeconds / r.maxSeconds).toFixed(1)} x faster)`,
    `origin uploaded ${formatBytes(r.originUploadedBytes)} = ${r.originCopies.toFixed(2)} x the file`,
    `simulated ${r.events} events in ${r.wallSeconds.toFixed(1)} s of wall time (seed ${r.seed})`,
    ...(r.trace ? ['', traceReport(r.trace, r.pieces)] : []),
  ].join('\n')
}

/** Samples as `time connections/ready outstanding-blocks held%`, eight to a line. */
function traceReport(trace: SimTrace, pieces: number): string {
  const at = (s: number | undefined) => (s === undefined ? 'never' : `${s.toFixed(2)} s`)
  const { halfSeconds, ninetyPercentSeconds, allSeconds } = trace.originFirstCopy
  const lines = [
    `origin's first copy: half the pieces sent by ${at(halfSeconds)}, 90 % by ${at(ninetyPercentSeconds)}, all by ${at(allSeconds)} (to within ${trace.intervalMs} ms)`,
    `slowest peers, every ${trace.intervalMs} ms from their join: seconds connections/ready blocks-requested pieces-held`,
  ]
  for (const peer of trace.slowest) {
    const took = peer.doneSeconds === undefined ? 'never done' : `done ${(peer.doneSeconds - peer.joinedSeconds).toFixed(2)} s later`
    lines.push(`${peer.id}: joined at ${peer.joinedSeconds.toFixed(2)} s, ${took}`)
    const cells = peer.samples.map((s) => `${s.seconds.toFixed(2)} ${s.connections}/${s.ready} ${s.outstandingBlocks} ${((100 * s.pieces) / pieces).toFixed(0)}%`)
    for (let i = 0; i < cells.length; i += 8) lines.push(`  ${cells.slice(i, i + 8).join(' | ')}`)
  }
  return lines.join('\n')
}

export function sweepTable(rows: SimResult[]): string {
  const lines = ['| N | Shoal p50 (s) | Shoal max (s) | client-server (s) | ideal (s) | origin copies | wall (s) |', '|---|---|---|---|---|---|---|']
  for (const r of rows) {
    lines.push(
      `| ${r.peers} | ${r.p50Seconds.toFixed(2)} | ${r.maxSeconds.toFixed(2)} | ${r.clientServerSeconds.toFixed(2)} | ${r.idealSeconds.toFixed(2)} | ${r.originCopies.toFixed(2)} | ${r.wallSeconds.toFixed(1)} |`,
    )
  }
  return lines.join('\n')
}

/** Completion time against N on log-log axes: Shoal's max and client-server's N*S/U. */
export function sweepSvg(rows: SimResult[]): string {
  const W = 640
  const H = 400
  const M = 60
  const xs = rows.map((r) => r.peers)
  const ys = rows.flatMap((r) => [r.maxSeconds, r.clientServerSeconds, r.idealSeconds]).filter((y) => y > 0 && Number.isFinite(y))
  const [x0, x1] = [Math.log10(Math.min(...xs)), Math.log10(Math.max(...xs)) || 1]
  const [y0, y1] = [Math.floor(Math.log10(Math.min(...ys))), Math.ceil(Math.log10(Math.max(...ys)))]
  const px = (x: number) => M + ((Math.log10(x) - x0) / (x1 - x0 || 1)) * (W - 2 * M)
  const py = (y: number) => H - M - ((Math.log10(y) - y0) / (y1 - y0 || 1)) * (H - 2 * M)
  const line = (values: number[], color: string, label: string, i: number) => {
    const points = rows.map((r, k) => `${px(r.peers).toFixed(1)},${py(values[k]!).toFixed(1)}`).join(' ')
    return (
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>` +
      `<text x="${W - M - 150}" y="${M + 16 * i}" fill="${color}" font-size="12">${label}</text>`
    )
  }
  const ticks: string[] = []
  for (let e = y0; e <= y1; e++) ticks.push(`<text x="${M - 8}" y="${py(10 ** e) + 4}" font-size="11" text-anchor="end">${10 ** e}</text>`)
  for (const x of xs) ticks.push(`<text x="${px(x)}" y="${H - M + 16}" font-size="11" text-anchor="middle">${x}</text>`)
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<line x1="${M}" y1="${H - M}" x2="${W - M}" y2="${H - M}" stroke="black"/><line x1="${M}" y1="${M}" x2="${M}" y2="${H - M}" stroke="black"/>`,
    ...ticks,
    `<text x="${W / 2}" y="${H - 15}" font-size="12" text-anchor="middle">peers (N)</text>`,
    `<text x="15" y="${H / 2}" font-size="12" transform="rotate(-90 15 ${H / 2})" text-anchor="middle">seconds to complete (log)</text>`,
    line(rows.map((r) => r.maxSeconds), '#1f77b4', 'Shoal (last peer done)', 0),
    line(rows.map((r) => r.clientServerSeconds), '#d62728', 'client-server N*S/U', 1),
    line(rows.map((r) => r.idealSeconds), '#2ca02c', 'ideal', 2),
    '</svg>',
  ].join('\n')
}
