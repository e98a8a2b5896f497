import { Writable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { ShoalError } from '../../core/errors.ts'
import { type Reporter, createReporter } from '../../worker/reporter.ts'

/** Everything written to either stream, in order, tagged with the stream it went to. */
type Log = { stream: 'out' | 'err'; text: string }[]

class FakeStream extends Writable {
  constructor(
    private readonly name: 'out' | 'err',
    private readonly log: Log,
    readonly isTTY: boolean,
    readonly columns = 120,
  ) {
    super()
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.log.push({ stream: this.name, text: chunk.toString() })
    callback()
  }
}

const ESC = '\x1b'
const DOWNLOAD = { label: 'downloading', done: 126_000_000, total: 300_000_000, rate: 12_000_000, peers: 3, fromSeeds: 88_200_000, fromPeers: 37_800_000 }

function setup(options: { json?: boolean; tty: boolean; columns?: number; now?: () => number }) {
  const log: Log = []
  const reporter = createReporter({
    json: options.json ?? false,
    stdout: new FakeStream('out', log, false),
    stderr: new FakeStream('err', log, options.tty, options.columns),
    now: options.now,
  })
  reporters.push(reporter)
  const text = (stream: 'out' | 'err') =>
    log
      .filter((l) => l.stream === stream)
      .map((l) => l.text)
      .join('')
  return { reporter, log, text }
}

// A live line keeps a redraw timer until it ends.
const reporters: Reporter[] = []
afterEach(() => {
  for (const r of reporters.splice(0)) r.endProgress()
})

describe('human reporter on a terminal', () => {
  it('draws the live line on stderr, leaves it on screen when it ends and shows the cursor again', () => {
    const { reporter, text } = setup({ tty: true })
    reporter.progress({ ...DOWNLOAD, done: 0, fromSeeds: 0, fromPeers: 0 })
    reporter.progress(DOWNLOAD)
    reporter.endProgress()
    const err = text('err')
    expect(err).toContain(`${ESC}[?25l`) // cursor hidden while drawing
    expect(err).toContain('42% | 126 MB / 300 MB | 12 MB/s | ETA 0:15 | 3 peers | 30% from peers / 70% from seeds')
    expect(err).toContain(`${ESC}[?25h`)
    expect(err.endsWith('\n')).toBe(true)
    expect(text('out')).toBe('')
  })

  it('fits the line to the terminal width', () => {
    const { reporter, text } = setup({ tty: true, columns: 80 })
    reporter.progress(DOWNLOAD)
    reporter.endProgress()
    expect(text('err')).toContain('downloading 42% | 126 MB / 300 MB | 12 MB/s | ETA 0:15 | 3 peers')
    expect(text('err')).not.toContain('from seeds')
  })

  it('ends the line before a milestone, and starts a new one for the next phase', () => {
    const { reporter, log, text } = setup({ tty: true })
    reporter.progress({ label: 'hashing', done: 2_000_000, total: 2_000_000 })
    reporter.event('seeding', { id: 'x' }, 'Seeding f.bin (2.0 MB). Share link:\nhttp://t/s/x')
    reporter.seeding({ uploaded: 42_000_000, uploadRate: 1_234_000, peers: 1 })
    reporter.endProgress()
    const milestone = log.findIndex((l) => l.stream === 'out')
    expect(log.slice(0, milestone).map((l) => l.text).join('')).toMatch(/hashing .* 100% \| 2\.0 MB \/ 2\.0 MB[^]*\n$/)
    expect(log[milestone]!.text).toBe('Seeding f.bin (2.0 MB). Share link:\nhttp://t/s/x\n')
    expect(log.slice(milestone + 1).map((l) => l.text).join('')).toContain('seeding     42 MB uploaded | 1.2 MB/s | 1 peer')
    expect(text('out')).not.toContain(ESC)
  })

  it('ends the line before an error message', () => {
    const { reporter, log } = setup({ tty: true })
    reporter.progress(DOWNLOAD)
    reporter.error(new ShoalError('NO_PEERS', 'no peer with this file could be reached'))
    expect(log.at(-1)).toEqual({ stream: 'err', text: 'shoal: no peer with this file could be reached\n' })
    expect(log.at(-2)!.text).toBe('\n')
  })
})

describe('human reporter when stderr is not a terminal', () => {
  it('prints the milestones only, with no escape codes', () => {
    const { reporter, text } = setup({ tty: false })
    reporter.progress({ label: 'hashing', done: 1, total: 2 })
    reporter.progress(DOWNLOAD)
    reporter.seeding({ uploaded: 5, uploadRate: 1, peers: 1 })
    reporter.event('done', { path: '/tmp/f' }, 'Saved /tmp/f (2.0 MB)')
    reporter.event('quiet', { n: 1 })
    reporter.endProgress()
    reporter.error(new Error('boom'))
    expect(text('out')).toBe('Saved /tmp/f (2.0 MB)\n')
    expect(text('err')).toBe('shoal: boom\n')
  })
})

describe('JSON reporter', () => {
  const lines = (out: string) =>
    out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)

  it('writes progress events with the split fields, at most once a second but always the last one', () => {
    let now = 0
    const { reporter, text } = setup({ json: true, tty: true, now: () => now })
    reporter.progress(DOWNLOAD)
    now = 500
    reporter.progress({ ...DOWNLOAD, done: 200_000_000 }) // too soon
    now = 600
    reporter.progress({ ...DOWNLOAD, done: DOWNLOAD.total }) // complete: never dropped
    now = 1700
    reporter.progress({ label: 'hashing', done: 1, total: 2 })
    reporter.endProgress()
    expect(lines(text('out'))).toEqual([
      { event: 'progress', ...DOWNLOAD },
      { event: 'progress', ...DOWNLOAD, done: DOWNLOAD.total },
      { event: 'progress', label: 'hashing', done: 1, total: 2 },
    ])
    expect(text('err')).toBe('')
  })

  it('writes seeding-progress at most once a second, and only when something changed', () => {
    let now = 0
    const { reporter, text } = setup({ json: true, tty: false, now: () => now })
    const idle = { uploaded: 0, uploadRate: 0, peers: 0 }
    reporter.seeding(idle)
    now = 2000
    reporter.seeding(idle) // nothing new
    reporter.seeding({ uploaded: 0, uploadRate: 0, peers: 1 })
    now = 2500
    reporter.seeding({ uploaded: 65536, uploadRate: 131072, peers: 1 }) // too soon
    now = 3000
    reporter.seeding({ uploaded: 131072, uploadRate: 131072, peers: 1 })
    expect(lines(text('out'))).toEqual([
      { event: 'seeding-progress', ...idle },
      { event: 'seeding-progress', uploaded: 0, uploadRate: 0, peers: 1 },
      { event: 'seeding-progress', uploaded: 131072, uploadRate: 131072, peers: 1 },
    ])
  })

  it('writes milestones and errors as events, never human text', () => {
    const { reporter, text } = setup({ json: true, tty: true })
    reporter.event('done', { path: '/tmp/f', size: 2 }, 'Saved /tmp/f')
    reporter.error(new ShoalError('BAD_INPUT', 'nope'))
    expect(lines(text('out'))).toEqual([
      { event: 'done', path: '/tmp/f', size: 2 },
      { event: 'error', code: 'BAD_INPUT', message: 'nope' },
    ])
    expect(text('err')).toBe('')
  })
})
