/**
 * `npm run simulate -- --peers 1000 --size 5GB --bandwidth 40Gbit/s [--json]`: runs the real
 * engine over a simulated network (see simulation.ts) and reports completion times.
 */
import { writeFileSync } from 'node:fs'
import { Command } from 'commander'
import { parseRate, parseSize } from '../core/rate.ts'
import { parseDuration } from './parse.ts'
import { sweepSvg, sweepTable, textReport } from './report.ts'
import { type Granularity, simulate, type SimConfig, type SimResult } from './simulation.ts'

const program = new Command('simulate')
  .description("Run Shoal's engine over a simulated network with a virtual clock")
  .option('--peers <n>', 'leechers', '100')
  .option('--size <size>', 'file size (e.g. 5GB)', '1GB')
  .option('--bandwidth <rates>', 'upload (= download) capacity per peer; a comma list mixes them', '1Gbit/s')
  .option('--download <rates>', 'download capacity per peer if not the upload one')
  .option('--latency <ms>', 'one-way link latency (e.g. 20ms)', '20ms')
  .option('--seeders <n>', 'peers holding the whole file at the start', '1')
  .option('--piece-size <size>', 'piece size (default: as the publisher picks it)')
  .option('--churn <fraction>', 'fraction of leechers that leave mid-run, each replaced by a new peer', '0')
  .option('--join-spread <ms>', 'leechers join uniformly over this time', '1000ms')
  .option('--granularity <mode>', 'block (exact), piece (scaled), flow (chunk-level model, fast) or auto', 'auto')
  .option('--seed <n>', 'random seed', '1')
  .option('--sweep <list>', 'run for each N in the list (e.g. 10,100,1000) and plot time against N')
  .option('--out <file>', 'with --sweep: where to write the SVG plot', 'simulate-sweep.svg')
  .option('--json', 'print one JSON object (an array with --sweep)')
  .parse()

const o = program.opts<Record<string, string | boolean | undefined>>()
const rates = (text: string) => text.split(',').map((t) => parseRate(t.trim()))
const base: SimConfig = {
  peers: Number(o.peers),
  sizeBytes: parseSize(String(o.size)),
  upload: rates(String(o.bandwidth)),
  download: o.download ? rates(String(o.download)) : undefined,
  latencyMs: parseDuration(String(o.latency)),
  seeders: Number(o.seeders),
  pieceSize: o.pieceSize ? parseSize(String(o.pieceSize)) : undefined,
  churn: Number(o.churn),
  joinSpreadMs: parseDuration(String(o.joinSpread)),
  granularity: String(o.granularity) as Granularity,
  seed: Number(o.seed),
}

if (o.sweep) {
  const rows: SimResult[] = []
  for (const n of String(o.sweep).split(',').map(Number)) {
    rows.push(await simulate({ ...base, peers: n }))
    if (!o.json) console.error(`N=${n} done`)
  }
  writeFileSync(String(o.out), sweepSvg(rows))
  console.log(o.json ? JSON.stringify(rows) : `${sweepTable(rows)}\n\nplot: ${o.out}`)
} else {
  const result = await simulate(base)
  console.log(o.json ? JSON.stringify(result) : textReport(result))
}
