/**
 * `npm run simulate -- --peers 1000 --size 5GB --bandwidth 40Gbit/s [--json]`: runs the real
 * engine over a simulated network (see simulation.ts) and reports completion times.
 */
import { writeFileSync } from 'node:fs'
import { Command, InvalidArgumentError, Option } from 'commander'
import { isAcceptedPieceSize } from '../core/manifest.ts'
import { parseRate, parseSize } from '../core/rate.ts'
import { parseDuration } from './parse.ts'
import { sweepSvg, sweepTable, textReport } from './report.ts'
import { GRANULARITIES, type Granularity, simulate, type SimConfig, type SimResult } from './simulation.ts'

// A reader that stops early (`| head`) closes the pipe: that ends the output, not in a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

/** Wraps a parser so a bad value is commander's "option ... argument ... is invalid", not a stack trace. */
function parsed<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text)
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message)
    }
  }
}

function wholeNumber(min: number): (text: string) => number {
  return (text) => {
    const n = Number(text)
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number of at least ${min}`)
    return n
  }
}

const rates = parsed((text: string) => text.split(',').map((t) => parseRate(t.trim())))

function pieceSize(text: string): number {
  const size = parsed(parseSize)(text)
  if (!isAcceptedPieceSize(size)) throw new InvalidArgumentError('must be a power of two from 16KiB to 8MiB (e.g. 1MiB)')
  return size
}

function churn(text: string): number {
  const n = Number(text)
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('must be a fraction from 0 to 1, e.g. 0.1')
  return n
}

function peerCounts(text: string): number[] {
  return text.split(',').map((t) => wholeNumber(1)(t.trim()))
}

const program = new Command('simulate')
  .description("Run Shoal's engine over a simulated network with a virtual clock")
  .option('--peers <n>', 'leechers', wholeNumber(1), 100)
  .option('--size <size>', 'file size (e.g. 5GB)', parsed(parseSize), parseSize('1GB'))
  .option('--bandwidth <rates>', 'upload (= download) capacity per peer; a comma list mixes them', rates, rates('1Gbit/s'))
  .option('--download <rates>', 'download capacity per peer if not the upload one', rates)
  .option('--latency <ms>', 'one-way link latency (e.g. 20ms)', parsed(parseDuration), 20)
  .option('--seeders <n>', 'peers holding the whole file at the start', wholeNumber(1), 1)
  .option('--piece-size <size>', 'piece size (default: as the publisher picks it)', pieceSize)
  .option('--churn <fraction>', 'fraction of leechers that leave mid-run, each replaced by a new peer', churn, 0)
  .option('--join-spread <ms>', 'leechers join uniformly over this time', parsed(parseDuration), 1000)
  .addOption(new Option('--granularity <mode>', 'block (exact), piece (scaled), flow (chunk-level model, fast) or auto').choices(GRANULARITIES).default('auto'))
  .option('--no-super-seed', 'origins show every piece at once, even of a file big enough to show a few at a time (to compare)')
  .option('--seed <n>', 'random seed', wholeNumber(0), 1)
  .option('--sweep <list>', 'run for each N in the list (e.g. 10,100,1000) and plot time against N', peerCounts)
  .option('--out <file>', 'with --sweep: where to write the SVG plot', 'simulate-sweep.svg')
  .option('--trace <n>', "follow the n slowest leechers (sampled every 50 ms from their join) and the origin's first copy; runs the flow model", wholeNumber(1))
  .option('--json', 'print one JSON object (an array with --sweep)')
  .parse()

const o = program.opts<{
  peers: number
  size: number
  bandwidth: number[]
  download?: number[]
  latency: number
  seeders: number
  pieceSize?: number
  churn: number
  joinSpread: number
  granularity: Granularity
  seed: number
  superSeed: boolean
  sweep?: number[]
  trace?: number
  out: string
  json?: boolean
}>()
const base: SimConfig = {
  peers: o.peers,
  sizeBytes: o.size,
  upload: o.bandwidth,
  download: o.download,
  latencyMs: o.latency,
  seeders: o.seeders,
  pieceSize: o.pieceSize,
  churn: o.churn,
  joinSpreadMs: o.joinSpread,
  granularity: o.granularity,
  seed: o.seed,
  // Commander's default for a --no- flag is true: leave that to the engine's own choice.
  superSeed: o.superSeed ? undefined : false,
  trace: o.trace,
}
if (o.trace !== undefined && (o.granularity === 'block' || o.granularity === 'piece')) program.error('error: --trace follows the flow model: use --granularity flow (or auto)')
if (o.trace !== undefined && o.sweep) program.error('error: --trace follows one run, not a --sweep')

if (o.sweep) {
  const rows: SimResult[] = []
  for (const n of o.sweep) {
    rows.push(await simulate({ ...base, peers: n }))
    if (!o.json) console.error(`N=${n} done`)
  }
  writeFileSync(o.out, sweepSvg(rows))
  console.log(o.json ? JSON.stringify(rows) : `${sweepTable(rows)}\n\nplot: ${o.out}`)
} else {
  const result = await simulate(base)
  console.log(o.json ? JSON.stringify(result) : textReport(result))
}
