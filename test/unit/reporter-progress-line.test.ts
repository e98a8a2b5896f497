import { describe, expect, it } from 'vitest'
import { etaSeconds, formatEta, formatSplit, progressBar, progressLine, seedingLine } from '../../worker/progress-line.ts'

const DOWNLOAD = {
  label: 'downloading',
  done: 126_000_000,
  total: 300_000_000,
  rate: 12_000_000,
  peers: 3,
  fromSeeds: 88_200_000,
  fromPeers: 37_800_000,
}

const barCells = (line: string) => [...line].filter((c) => c === '\u2588' || c === '\u2591').length

describe('formatEta', () => {
  it.each([
    [0, '0:00'],
    [0.2, '0:01'],
    [42, '0:42'],
    [725, '12:05'],
    [3723, '1:02:03'],
    [99 * 3600, '99:00:00'],
  ])('%s s reads %s', (seconds, text) => expect(formatEta(seconds)).toBe(text))

  it.each([undefined, NaN, Infinity, -1, 100 * 3600])('%s reads as unknown', (seconds) => expect(formatEta(seconds)).toBe('--'))
})

describe('etaSeconds', () => {
  it('is what is left over the rate', () => expect(etaSeconds(50, 150, 10)).toBe(10))
  it('is unknown while nothing arrives', () => {
    expect(etaSeconds(50, 150, 0)).toBeUndefined()
    expect(etaSeconds(50, 150, undefined)).toBeUndefined()
  })
})

describe('formatSplit', () => {
  it('says where the bytes came from, peers then seeds', () => {
    expect(formatSplit(70, 30)).toBe('30% from peers / 70% from seeds')
    expect(formatSplit(undefined, 5)).toBe('100% from peers / 0% from seeds')
    expect(formatSplit(5, 0)).toBe('0% from peers / 100% from seeds')
  })

  it('always sums to 100', () => {
    expect(formatSplit(1, 2)).toBe('67% from peers / 33% from seeds')
    expect(formatSplit(1, 1)).toBe('50% from peers / 50% from seeds')
  })

  it('says nothing before any byte arrived', () => {
    expect(formatSplit(0, 0)).toBeUndefined()
    expect(formatSplit(undefined, undefined)).toBeUndefined()
  })
})

describe('progressBar', () => {
  it('fills in proportion, within its size', () => {
    expect(progressBar(0, 100, 4)).toBe('\u2591'.repeat(4))
    expect(progressBar(50, 100, 4)).toBe('\u2588\u2588\u2591\u2591')
    expect(progressBar(500, 100, 4)).toBe('\u2588'.repeat(4))
    expect(progressBar(5, 0, 4)).toBe('\u2591'.repeat(4))
  })
})

describe('progressLine', () => {
  it('shows amount, rate, ETA, peers and the peer/seed split on a wide terminal', () => {
    expect(progressLine(DOWNLOAD, 200)).toBe(
      `downloading ${progressBar(126, 300, 30)} 42% | 126 MB / 300 MB | 12 MB/s | ETA 0:15 | 3 peers | 30% from peers / 70% from seeds`,
    )
  })

  it('shows an unknown ETA while nothing arrives, and none once done', () => {
    expect(progressLine({ ...DOWNLOAD, rate: 0 }, 200)).toContain('| 0 B/s | ETA -- |')
    expect(progressLine({ ...DOWNLOAD, done: DOWNLOAD.total }, 200)).toBe(
      `downloading ${progressBar(1, 1, 30)} 100% | 300 MB / 300 MB | 12 MB/s | 3 peers | 30% from peers / 70% from seeds`,
    )
  })

  it('leaves out what it does not know: hashing has no rate, peers or split', () => {
    expect(progressLine({ label: 'hashing', done: 1_000_000, total: 2_000_000 }, 200)).toBe(
      `hashing     ${progressBar(1, 2, 30)} 50% | 1.0 MB / 2.0 MB`,
    )
  })

  it('never fills the last column, shrinking the bar, then dropping it, then the rightmost fields', () => {
    const bare = progressLine(DOWNLOAD, 1000).length - 31
    expect(barCells(progressLine(DOWNLOAD, bare + 1 + 1 + 15))).toBe(15)
    const noBar = progressLine(DOWNLOAD, bare + 1 + 1 + 9)
    expect(barCells(noBar)).toBe(0)
    expect(noBar).toContain('from seeds')
    for (const width of [20, 40, 60, 80, 100, 120, 160]) {
      const line = progressLine(DOWNLOAD, width)
      expect(line.length, `width ${width}`).toBeLessThan(width)
      expect(line.startsWith('downloading'), `width ${width}`).toBe(true)
    }
    expect(progressLine(DOWNLOAD, 80)).toBe('downloading 42% | 126 MB / 300 MB | 12 MB/s | ETA 0:15 | 3 peers')
  })
})

describe('seedingLine', () => {
  it('shows bytes served, upload rate and peers', () => {
    expect(seedingLine({ uploaded: 42_000_000, uploadRate: 1_234_000, peers: 1 }, 200)).toBe('seeding     42 MB uploaded | 1.2 MB/s | 1 peer')
  })

  it('drops fields from the right on a narrow terminal', () => {
    expect(seedingLine({ uploaded: 42_000_000, uploadRate: 1_234_000, peers: 3 }, 40)).toBe('seeding     42 MB uploaded | 1.2 MB/s')
  })
})
