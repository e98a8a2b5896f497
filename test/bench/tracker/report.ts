/**
 * The tracker benchmark's report: a headline table against the targets (each
 * configuration's median round by p99), the tracker's cost over the echo floor, every round,
 * and what each process did during the median round; JSON with every sample.
 */
import { cpus } from 'node:os'
import type { BenchResult } from '../bench-result.ts'
import { markdownTable } from '../markdown.ts'
import { round } from '../stats.ts'
import { TARGETS } from './config.ts'
import type { TrackerBenchConfig } from './config.ts'
import { type Figures, figures, medianRound, missed, tail } from './figures.ts'
import { int, kb, mb, ms, pct } from './format.ts'
import { histogram, perSecond, summarize } from './latency.ts'
import { notes } from './notes.ts'
import type { ScenarioResult } from './scenario.ts'
import type { WindowReport } from './service.ts'

export interface Outcome {
  name: string
  label: string
  /** The floor every tracker row is compared with, not a tracker. */
  floor: boolean
  /** Processes peers connect to; any measured after them (Redis) back them. */
  services: number
  /** Why the configuration did not run, if it did not. */
  skipped?: string
  rounds: ScenarioResult[]
}

/** An outcome that ran, with each round's figures and the round the headline shows. */
export interface Measured extends Outcome {
  figures: Figures[]
  median: number
}

const RIGHT = 'right' as const
const LEFT = 'left' as const

export function trackerReport(config: TrackerBenchConfig, outcomes: Outcome[]): BenchResult {
  const measured: Measured[] = outcomes
    .filter((o) => o.rounds.length > 0)
    .map((o) => {
      const f = o.rounds.map((r) => figures(r, o.services))
      return { ...o, figures: f, median: medianRound(f) }
    })
  const verdict = (o: Outcome, f: Figures) => {
    if (o.floor) return 'floor'
    const misses = missed(f, config)
    return misses.length === 0 ? 'yes' : `no: ${misses.join(', ')}`
  }
  const headline: string[][] = [
    ['target', `≥ ${int(TARGETS.connectedPeers)}`, `≥ ${int(TARGETS.announcesPerSecond)}`, '', `< ${TARGETS.p99Ms}`, '', `< ${TARGETS.memoryPerPeerKB}`, '', '0', ''],
  ]
  for (const o of outcomes) {
    const m = measured.find((x) => x.name === o.name)
    if (!m) {
      headline.push([o.label, '—', '—', '—', '—', '—', '—', '—', '—', `not run: ${o.skipped}`])
      continue
    }
    const f = m.figures[m.median]!
    headline.push([
      o.label,
      int(f.connected),
      int(f.announcesPerSecond),
      ms(f.latency.p50),
      ms(f.latency.p99),
      ms(f.latency.max),
      kb(f.rssPerPeerKB),
      kb(f.heapPerPeerKB),
      int(f.failed),
      verdict(o, f),
    ])
  }

  const floor = measured.find((m) => m.floor)
  const added = floor
    ? measured
        .filter((m) => !m.floor)
        .map((m) => {
          const f = m.figures[m.median]!
          const base = floor.figures[floor.median]!
          return [
            m.label,
            ms(f.latency.p50 - base.latency.p50),
            ms(f.latency.p99 - base.latency.p99),
            `${(f.latency.p99 / base.latency.p99).toFixed(2)}×`,
            kb(f.rssPerPeerKB - base.rssPerPeerKB),
            kb(f.heapPerPeerKB - base.heapPerPeerKB),
          ]
        })
    : []

  const rounds = measured.flatMap((m) =>
    m.figures.map((f, i) => [
      m.label,
      `${i + 1}${i === m.median ? ' (median)' : ''}`,
      int(f.connected),
      int(f.announcesPerSecond),
      ms(f.latency.p50),
      ms(f.latency.p99),
      ms(f.latency.max),
      kb(f.rssPerPeerKB),
      int(f.failed),
      m.rounds[i]!.quiet ? pct(m.rounds[i]!.quiet!.busy) : '',
      `${pct(f.machineBusy)} of ${cpus().length}`,
      verdict(m, f),
    ]),
  )

  const detail = measured.flatMap((m) => processRows(m))

  const table = [
    markdownTable(
      ['configuration', 'connected peers', 'announces/s', 'p50 ms', 'p99 ms', 'max ms', 'RSS KB/peer', 'heap KB/peer', 'failed', 'met?'],
      headline,
      [LEFT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, LEFT],
    ),
    added.length > 0
      ? markdownTable(['tracker over the echo floor', 'p50 + ms', 'p99 + ms', 'p99 ×', 'RSS + KB/peer', 'heap + KB/peer'], added, [LEFT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT])
      : '',
    config.rounds > 1
      ? markdownTable(
          ['configuration', 'round', 'connected', 'announces/s', 'p50 ms', 'p99 ms', 'max ms', 'RSS KB/peer', 'failed', 'busy before', 'busy during', 'met?'],
          rounds,
          [LEFT, LEFT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, LEFT],
        )
      : '',
    markdownTable(
      ['configuration (median round)', 'process', 'RSS idle MB', 'RSS loaded MB', 'RSS after run MB', 'heap after GC MB', 'CPU (of a core)', 'inside the process during the run'],
      detail,
      [LEFT, LEFT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, LEFT],
    ),
  ]
    .filter(Boolean)
    .join('\n\n')

  return {
    name: 'tracker',
    title: `Tracker under load: ${int(config.peers)} peers in ${config.swarms} swarms, ${int(config.rate)} announces/s`,
    table,
    notes: notes(config, outcomes, measured),
    json: {
      config,
      targets: TARGETS,
      configurations: Object.fromEntries(
        outcomes.map((o) => {
          const m = measured.find((x) => x.name === o.name)
          if (!m) return [o.name, { label: o.label, skipped: o.skipped }]
          const rounds = m.rounds.map((r, i) => roundJson(r, m.figures[i]!, o.floor ? undefined : missed(m.figures[i]!, config)))
          return [o.name, { label: o.label, medianRound: m.median + 1, rounds }]
        }),
      ),
    },
  }
}

/** The per-process rows of the median round: memory, CPU, and what happened inside. */
function processRows(m: Measured): string[][] {
  const r = m.rounds[m.median]!
  const rows = r.idle.map((idle, i) => [
    m.label,
    idle.label,
    mb(idle.rss),
    mb(r.loaded[i]!.rss),
    mb(r.afterRun[i]!.rss),
    idle.afterGc ? `${mb(idle.afterGc.heapUsed)} → ${mb(r.loaded[i]!.afterGc!.heapUsed)}` : '',
    pct(r.processCpu[i]!.share),
    [i < m.services ? windowText(r.serviceWindows[i]!) : '', waitText(r.processCpu[i]!.waitedMs)].filter(Boolean).join('; '),
  ])
  r.run.forEach((g, i) => {
    const cpu = r.processCpu[r.idle.length + i]
    const inside = `loop delay p99 ${ms(g.loopDelayMs.p99)} ms, max ${ms(g.loopDelayMs.max)} ms; sends late by ≤ ${ms(g.sendLagMs.max)} ms`
    rows.push([m.label, `load generator ${i + 1}`, '', '', '', '', pct(g.cpuShare), cpu ? `${inside}; ${waitText(cpu.waitedMs)}` : inside])
  })
  rows.push([m.label, 'whole machine', '', '', '', '', `${pct(r.machineBusy)} of ${cpus().length}`, ''])
  return rows
}

/** Time the process was ready to run but every core was taken, over the window. */
function waitText(waitedMs: number): string {
  return `waited ${int(waitedMs)} ms for a core`
}

/** A service's GC pauses and event-loop delay over the window, in a few words. */
function windowText(w: WindowReport): string {
  const { major, minor } = w.gc
  const gc = [major ? `${major.count} major GC (longest ${ms(major.maxMs)} ms)` : 'no major GC', minor ? `${minor.count} minor (${ms(minor.totalMs)} ms in all)` : '']
  return `loop delay p99 ${ms(w.loopDelayMs.p99)} ms, max ${ms(w.loopDelayMs.max)} ms; ${gc.filter(Boolean).join(', ')}`
}

function roundJson(r: ScenarioResult, f: Figures, misses: string[] | undefined): unknown {
  return {
    figures: { ...f, announcesPerSecond: round(f.announcesPerSecond, 1), rssPerPeerKB: round(f.rssPerPeerKB, 2), heapPerPeerKB: round(f.heapPerPeerKB, 2), backingRssPerPeerKB: f.backingRssPerPeerKB === undefined ? undefined : round(f.backingRssPerPeerKB, 2), machineBusy: round(f.machineBusy, 3) },
    targetsMissed: misses,
    tail: tail(r),
    quiet: r.quiet,
    connectedAfterRamp: r.connectedAfterRamp,
    rampMs: Math.round(r.rampMs),
    joinLatency: summarize(r.joinLatencies),
    perSecond: perSecond(r.run.flatMap((g) => g.latencies), r.run.flatMap((g) => g.sentAt)),
    /** Every announce answered ok in the window (all generators), emit to ack, bucketed to 2 significant digits. */
    latencyHistogram: histogram(r.run.flatMap((g) => g.latencies)),
    memory: { idle: r.idle, loaded: r.loaded, afterRun: r.afterRun, rampRss: r.rampRss },
    serverStats: r.serverStats,
    serviceWindows: r.serviceWindows,
    processCpu: r.processCpu.map((p) => ({ ...p, share: round(p.share, 3), waitedMs: Math.round(p.waitedMs) })),
    generators: r.run.map((g) => ({
      sent: g.sent,
      ok: g.ok,
      skipped: g.skipped,
      failures: g.failures,
      windowMs: g.windowMs,
      connectedAtEnd: g.connectedAtEnd,
      cpuShare: round(g.cpuShare, 3),
      loopDelayMs: roundAll(g.loopDelayMs),
      sendLagMs: roundAll(g.sendLagMs),
    })),
  }
}

function roundAll<T extends Record<string, number>>(values: T): T {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, round(v, 2)])) as T
}
