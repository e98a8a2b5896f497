/**
 * The simulator's prediction beside the measured swarm benchmarks: the same setup (N, S, U) run
 * through sim/ (the real engine over a simulated network) against bench-results/swarm-*.json.
 */
import { readFileSync } from 'node:fs'
import { simulate, type SimResult } from '../../sim/simulation.ts'
import type { BenchResult } from './bench-result.ts'

interface Measured {
  result: { config: { peers: number; size: number; uploadRate: number }; summary: { totalS: number; seederCopies: number } }
}

const SETUPS = [
  { name: 'swarm-browsers', joinSpreadMs: 1500 },
  { name: 'swarm-node', joinSpreadMs: 1000 },
]
/** The swarm benchmarks' target for simulation error. */
const MAX_ERROR = 0.25

export async function simulatorBench(): Promise<BenchResult> {
  const rows: { name: string; measuredS: number; measuredCopies: number; sim: SimResult; error: number }[] = []
  for (const setup of SETUPS) {
    const measured = JSON.parse(readFileSync(`bench-results/${setup.name}.json`, 'utf8')) as Measured
    const { peers, size, uploadRate } = measured.result.config
    const sim = await simulate({ peers, sizeBytes: size, upload: [uploadRate], latencyMs: 1, joinSpreadMs: setup.joinSpreadMs, granularity: 'block' })
    const measuredS = measured.result.summary.totalS
    rows.push({ name: setup.name, measuredS, measuredCopies: measured.result.summary.seederCopies, sim, error: sim.maxSeconds / measuredS - 1 })
  }
  const table = [
    '| setup | N | measured last done (s) | simulated max (s) | error | measured origin copies | simulated | within 25% |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.sim.peers} | ${r.measuredS.toFixed(1)} | ${r.sim.maxSeconds.toFixed(1)} | ${(r.error * 100).toFixed(0)}% | ` +
        `${r.measuredCopies.toFixed(2)} | ${r.sim.originCopies.toFixed(2)} | ${Math.abs(r.error) <= MAX_ERROR ? 'yes' : 'no'} |`,
    ),
  ].join('\n')
  return {
    name: 'simulator',
    title: 'Simulator against the measured swarm benchmarks',
    table,
    json: rows,
    notes:
      'Measured figures are read from bench-results/swarm-browsers.json and swarm-node.json (their last run); the simulation ' +
      'runs the same N, S and upload cap at block granularity with 1 ms latency. Simulated times are from each peer\'s join; ' +
      'the measured `totalS` is from the first page opening, so it includes a little setup time.',
  }
}
