/**
 * Turns one swarm run into the benchmark's report: the per-peer table, the summary against the
 * client-server baseline and the targets, the JSON samples, and an SVG plot of completion times
 * (bench-results/<name>.svg, linked from the markdown).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { BenchResult } from '../bench-result.ts'
import { markdownTable } from '../markdown.ts'
import { RESULTS_DIR } from '../report.ts'
import { median, round } from '../stats.ts'
import { barChartSvg } from '../svg-plot.ts'
import type { CpuUsage } from './cpu-usage.ts'

/** T may exceed the ideal S/U by this factor: connection set-up and the last pieces' tail. */
export const TIME_TARGET = 1.25
/** The origin may upload this many copies of the file at most: the point of P2P. */
export const SEEDER_UPLOAD_TARGET = 1.2

export interface PeerOutcome {
  peer: string
  /** Seconds from the common start until the peer had joined the swarm, when known. */
  joinedS?: number
  /** Seconds from the common start until the peer had the whole file, verified. */
  completedS: number
  downloadedBytes: number
  uploadedBytes: number
  /** Every piece verified (pages), or the saved file's SHA-256 equals the source's (CLI). */
  verified: boolean
}

export interface SwarmRun {
  name: string
  title: string
  /** What the peers are, e.g. `Chromium pages` or `Node leechers (shoal get)`. */
  peerKind: string
  /** What time zero is, completing "seconds since …". */
  clock: string
  size: number
  /** Bytes per second, the cap on every peer's upload. */
  uploadRate: number
  uploadLimit: string
  seederUploadedBytes: number
  peers: PeerOutcome[]
  /** Extra findings to print under the tables. */
  notes?: string[]
  /** Machine CPU use from time zero until the last peer was done. */
  cpu?: CpuUsage
  /** Anything else worth keeping in the JSON (timelines, configuration). */
  extra?: Record<string, unknown>
}

export async function swarmReport(run: SwarmRun): Promise<BenchResult> {
  const n = run.peers.length
  const ideal = run.size / run.uploadRate
  const clientServer = n * ideal
  const sorted = [...run.peers].sort((a, b) => a.completedS - b.completedS)
  const total = Math.max(...run.peers.map((p) => p.completedS))
  const firstJoin = Math.min(...run.peers.map((p) => p.joinedS ?? Number.POSITIVE_INFINITY))
  const swarmTime = Number.isFinite(firstJoin) ? total - firstJoin : undefined
  const seederCopies = run.seederUploadedBytes / run.size
  const timeRatio = total / ideal
  const timeMet = timeRatio <= TIME_TARGET
  const seederMet = seederCopies <= SEEDER_UPLOAD_TARGET
  const allVerified = run.peers.every((p) => p.verified)
  const s = (v: number) => v.toFixed(1)
  const copies = (bytes: number) => (bytes / run.size).toFixed(2)

  const peerTable = markdownTable(
    ['peer', 'joined s', 'completion s', 'downloaded / S', 'uploaded / S', 'verified'],
    sorted.map((p) => [p.peer, p.joinedS === undefined ? '—' : s(p.joinedS), s(p.completedS), copies(p.downloadedBytes), copies(p.uploadedBytes), p.verified ? 'yes' : 'NO']),
    ['left', 'right', 'right', 'right', 'right', 'left'],
  )
  const summary = markdownTable(
    ['summary', 'value', 'target', 'met?'],
    [
      ['N peers', `${n} ${run.peerKind}`, '', ''],
      ['S (file size)', `${(run.size / 1e6).toFixed(1)} MB (${(run.size / 2 ** 20).toFixed(0)} MiB)`, '', ''],
      ['U (every peer\'s upload cap)', `${run.uploadLimit} = ${(run.uploadRate / 1e6).toFixed(2)} MB/s`, '', ''],
      ['T (all done)', `${s(total)} s`, `≤ ${s(TIME_TARGET * ideal)} s`, timeMet ? 'yes' : 'NO'],
      ['ideal S/U', `${s(ideal)} s`, '', ''],
      ['client-server N·S/U', `${s(clientServer)} s`, '', ''],
      ['T / (S/U)', timeRatio.toFixed(3), `≤ ${TIME_TARGET}`, timeMet ? 'yes' : 'NO'],
      ...(swarmTime === undefined ? [] : [['T from first join / (S/U)', (swarmTime / ideal).toFixed(3), '', '']]),
      ['speed-up vs client-server (N·S/U) / T', `${round(clientServer / total).toFixed(1)}×`, '', ''],
      ['seeder upload / S', seederCopies.toFixed(3), `≤ ${SEEDER_UPLOAD_TARGET}`, seederMet ? 'yes' : 'NO'],
      ...(run.cpu ? [['machine CPU busy (all cores)', `${Math.round(run.cpu.busy * 100)}% of ${run.cpu.cores}`, '', '']] : []),
      ['every copy verified', allVerified ? 'yes' : 'NO', 'yes', allVerified ? 'yes' : 'NO'],
    ],
    ['left', 'right', 'right', 'left'],
  )

  const svgName = `${run.name}.svg`
  await mkdir(RESULTS_DIR, { recursive: true })
  await writeFile(
    join(RESULTS_DIR, svgName),
    barChartSvg({
      title: run.title,
      subtitle: `S = ${(run.size / 2 ** 20).toFixed(0)} MiB; every upload (seeder and ${n} peers) capped at U = ${run.uploadLimit}; all done in T = ${s(total)} s`,
      bars: sorted.map((p) => ({ label: p.peer, value: p.completedS })),
      lines: [
        { label: `client-server N·S/U = ${s(clientServer)} s`, value: clientServer, color: '#dc2626', dash: '8 5' },
        { label: `target 1.25·S/U = ${s(TIME_TARGET * ideal)} s`, value: TIME_TARGET * ideal, color: '#6b7280', dash: '3 4' },
        { label: `ideal S/U = ${s(ideal)} s`, value: ideal, color: '#16a34a' },
      ],
      xLabel: 'peer (sorted by completion time)',
      yLabel: `seconds since ${run.clock}`,
    }),
  )

  const notes = [
    `Time zero: when ${run.clock}. S/U is the least time any swarm needs (the seeder must send every byte once at U); N·S/U is one server sending N copies at the same U. "downloaded / S" above 1 means bytes fetched twice (endgame); "uploaded / S" is each peer's share of the serving.`,
    `Median completion ${s(median(run.peers.map((p) => p.completedS)))} s.` +
      (run.cpu
        ? ` The machine's ${run.cpu.cores} cores were ${Math.round(run.cpu.busy * 100)}% busy from time zero until the last peer was done${run.cpu.busy > 0.9 ? ': CPU bound, so U was not the binding limit for every peer (`SHOAL_BENCH_UPLOAD_LIMIT=1MB/s` or `SHOAL_BENCH_PEERS=…` probe whether the machine or the protocol falls short)' : ''}.`
        : ''),
    ...(run.notes ?? []),
    `![${run.title}: completion time per peer](${svgName})`,
  ].join('\n\n')

  return {
    name: run.name,
    title: run.title,
    table: `${peerTable}\n\n${summary}`,
    notes,
    json: {
      config: { peers: n, peerKind: run.peerKind, size: run.size, uploadLimit: run.uploadLimit, uploadRate: run.uploadRate, clock: run.clock },
      summary: {
        totalS: total,
        swarmTimeS: swarmTime,
        idealS: ideal,
        clientServerS: clientServer,
        timeRatio,
        seederUploadedBytes: run.seederUploadedBytes,
        seederCopies,
        cpu: run.cpu,
        targets: { timeRatio: TIME_TARGET, seederCopies: SEEDER_UPLOAD_TARGET, timeMet, seederMet, allVerified },
      },
      peers: sorted,
      ...run.extra,
    },
  }
}
