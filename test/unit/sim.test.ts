import { describe, expect, it } from 'vitest'
import { Bitfield } from '../../core/bitfield.ts'
import { MAX_ENDGAME_DOWNLOADERS, pickEndgamePiece, pickPiece, RANDOM_FIRST_PIECES } from '../../core/picker.ts'
import { BitRows } from '../../sim/bit-rows.ts'
import { EventQueue } from '../../sim/event-queue.ts'
import { pickEndgamePieceFast, pickPieceFast } from '../../sim/flow-picker.ts'
import { chunkBlocks } from '../../sim/flow-simulation.ts'
import { seededRandom } from '../../sim/random.ts'
import { SimClock } from '../../sim/sim-clock.ts'
import { connect, SimHost } from '../../sim/sim-network.ts'
import { parseDuration } from '../../sim/parse.ts'
import { Ring } from '../../sim/ring.ts'
import { type SimResult, simulate } from '../../sim/simulation.ts'

const MB = 1_000_000

function hosts(clock: SimClock, ...rates: number[]): SimHost[] {
  return rates.map((rate) => new SimHost(clock, { upload: rate, download: rate }))
}

describe('SimClock', () => {
  it('runs events in time order, same-time events in scheduling order, and skips cleared ones', async () => {
    const clock = new SimClock()
    const seen: string[] = []
    clock.setTimeout(() => seen.push('b'), 20)
    clock.setTimeout(() => seen.push('a'), 10)
    clock.setTimeout(() => seen.push('c'), 20)
    const gone = clock.setTimeout(() => seen.push('x'), 15)
    clock.clearTimeout(gone)
    await clock.run(() => false)
    expect(seen).toEqual(['a', 'b', 'c'])
    expect(clock.now()).toBe(20)
  })

  it('lets promise chains started by an event settle before time moves on', async () => {
    const clock = new SimClock()
    const seen: string[] = []
    clock.setTimeout(() => void Promise.resolve().then(() => Promise.resolve()).then(() => seen.push(`settled@${clock.now()}`)), 5)
    clock.setTimeout(() => seen.push(`next@${clock.now()}`), 6)
    await clock.run(() => false)
    expect(seen).toEqual(['settled@5', 'next@6'])
  })
})

describe('simulated network', () => {
  it('moves S bytes over one link at capacity C in S/C + latency', async () => {
    const clock = new SimClock()
    const [a, b] = hosts(clock, 1 * MB, 1 * MB)
    const [ta, tb] = connect(a!, b!, 20)
    let received = 0
    let doneAt = 0
    tb.on('data', (frame) => {
      received += frame.length
      doneAt = clock.now()
    })
    for (let i = 0; i < 16; i++) ta.send(new Uint8Array(64 * 1024))
    expect(ta.bufferedAmount).toBe(16 * 64 * 1024)
    await clock.run(() => false)
    expect(received).toBe(16 * 64 * 1024)
    // Store and forward at equal rates adds one frame's time on the downlink.
    expect(doneAt).toBeCloseTo((16 * 64 * 1024) / 1000 + 20 + (64 * 1024) / 1000, 6)
    expect(ta.bufferedAmount).toBe(0)
  })

  it('is limited by the slower of upload and download', async () => {
    const clock = new SimClock()
    const a = new SimHost(clock, { upload: 10 * MB, download: 10 * MB })
    const b = new SimHost(clock, { upload: 10 * MB, download: 1 * MB })
    const [ta, tb] = connect(a, b, 0)
    let doneAt = 0
    tb.on('data', () => (doneAt = clock.now()))
    for (let i = 0; i < 10; i++) ta.send(new Uint8Array(100_000))
    await clock.run(() => false)
    expect(doneAt).toBeCloseTo(10 + 1000, 6)
  })

  it('shares a sender upload fairly between its links and keeps each link in order', async () => {
    const clock = new SimClock()
    const [a, b, c] = hosts(clock, 1 * MB, 100 * MB, 100 * MB)
    const [ab, atB] = connect(a!, b!, 0)
    const [ac, atC] = connect(a!, c!, 0)
    const order: number[] = []
    const finish = { b: 0, c: 0 }
    atB.on('data', (f) => {
      order.push(f[0]!)
      finish.b = clock.now()
    })
    atC.on('data', () => (finish.c = clock.now()))
    for (let i = 0; i < 10; i++) ab.send(new Uint8Array(100_000).fill(i))
    for (let i = 0; i < 10; i++) ac.send(new Uint8Array(100_000))
    await clock.run(() => false)
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    // 2 MB through a 1 MB/s uplink, frame by frame in turn: both finish near 2 s (b one frame
    // ahead, having started alone), not one at 1 s and the other at 2 s.
    expect(finish.b).toBeGreaterThan(1700)
    expect(finish.c).toBeGreaterThan(1900)
    expect(Math.max(finish.b, finish.c)).toBeLessThan(2100)
  })

  it('emits drain when bufferedAmount falls below the low-water mark, and close on both ends', async () => {
    const clock = new SimClock()
    const [a, b] = hosts(clock, 10 * MB, 10 * MB)
    const [ta, tb] = connect(a!, b!, 1)
    let drains = 0
    let closed = 0
    ta.on('drain', () => drains++)
    tb.on('close', () => closed++)
    for (let i = 0; i < 100; i++) ta.send(new Uint8Array(64 * 1024))
    await clock.run(() => false)
    expect(drains).toBe(1)
    ta.close()
    await clock.run(() => false)
    expect(closed).toBe(1)
  })
})

describe('simulate', () => {
  const tiny = { peers: 5, sizeBytes: 4 * 1024 * 1024, pieceSize: 256 * 1024, upload: [4 * MB], latencyMs: 5, joinSpreadMs: 200 }

  it('completes a tiny swarm with the real engine, close to the ideal, the origin sending about one copy', async () => {
    const r = await simulate(tiny)
    expect(r.completed).toBe(5)
    expect(r.finishers).toBe(5)
    expect(r.granularity).toBe('block')
    expect(r.idealSeconds).toBeCloseTo(1.048576, 5)
    expect(r.clientServerSeconds).toBeCloseTo(5 * 1.048576, 5)
    expect(r.maxSeconds).toBeGreaterThanOrEqual(r.idealSeconds)
    expect(r.maxSeconds).toBeLessThan(2 * r.idealSeconds)
    expect(r.originCopies).toBeGreaterThanOrEqual(1)
    // 16 pieces among 5 peers: distinct-first cannot keep the origin at one copy this small.
    expect(r.originCopies).toBeLessThan(2)
  })

  it('is deterministic for a seed', async () => {
    const a = await simulate({ ...tiny, seed: 7 })
    const b = await simulate({ ...tiny, seed: 7 })
    const strip = ({ wallSeconds: _w, ...rest }: typeof a) => rest
    expect(strip(a)).toEqual(strip(b))
  })

  it('returns the JSON fields the CLI promises', async () => {
    const r = await simulate({ ...tiny, peers: 2 })
    for (const key of ['peers', 'sizeBytes', 'idealSeconds', 'clientServerSeconds', 'p50Seconds', 'p99Seconds', 'maxSeconds', 'originUploadedBytes', 'wallSeconds']) {
      expect(typeof (r as unknown as Record<string, unknown>)[key]).toBe('number')
    }
    expect(JSON.parse(JSON.stringify(r))).toEqual(r)
  })

  it('survives churn: leavers are replaced and everyone who stayed finishes', async () => {
    const r = await simulate({ ...tiny, peers: 8, churn: 0.25 })
    expect(r.finishers).toBe(8)
    expect(r.completed).toBe(8)
  })

  it('runs the scaled piece mode', async () => {
    const r = await simulate({ ...tiny, granularity: 'piece' })
    expect(r.granularity).toBe('piece')
    expect(r.completed).toBe(5)
    expect(r.originCopies).toBeGreaterThanOrEqual(1)
  })
})

describe('simulate, flow granularity', () => {
  const tiny = { peers: 5, sizeBytes: 4 * 1024 * 1024, pieceSize: 256 * 1024, upload: [4 * MB], latencyMs: 5, joinSpreadMs: 200 }

  it('completes every peer with the engine policies over the chunk model, the origin sending at least one copy', async () => {
    const r = await simulate({ ...tiny, granularity: 'flow' })
    expect(r.granularity).toBe('flow')
    expect(r.completed).toBe(5)
    expect(r.finishers).toBe(5)
    expect(r.maxSeconds).toBeGreaterThanOrEqual(r.idealSeconds)
    expect(r.originCopies).toBeGreaterThanOrEqual(1)
    expect(r.originCopies).toBeLessThan(2)
  })

  it('stays within 20% of the block model on the same small swarm', async () => {
    const setup = { peers: 12, sizeBytes: 8 * 1024 * 1024, pieceSize: 256 * 1024, upload: [2 * MB], latencyMs: 1 }
    const block = await simulate({ ...setup, granularity: 'block' })
    const flow = await simulate({ ...setup, granularity: 'flow' })
    expect(flow.completed).toBe(12)
    expect(Math.abs(flow.maxSeconds / block.maxSeconds - 1)).toBeLessThan(0.2)
    expect(Math.abs(flow.p50Seconds / block.p50Seconds - 1)).toBeLessThan(0.2)
    expect(Math.abs(flow.originCopies / block.originCopies - 1)).toBeLessThan(0.2)
  })

  it('is deterministic for a seed', async () => {
    const a = await simulate({ ...tiny, peers: 20, granularity: 'flow', seed: 3 })
    const b = await simulate({ ...tiny, peers: 20, granularity: 'flow', seed: 3 })
    const strip = ({ wallSeconds: _w, ...rest }: typeof a) => rest
    expect(strip(a)).toEqual(strip(b))
  })

  it('survives churn: leavers are replaced and everyone who stayed finishes', async () => {
    const r = await simulate({ ...tiny, peers: 16, churn: 0.25, granularity: 'flow' })
    expect(r.finishers).toBe(16)
    expect(r.completed).toBe(16)
  })

  it('traces the slowest peers and the origin first copy without changing the run', async () => {
    const plain = await simulate({ ...tiny, peers: 12, granularity: 'flow' })
    const traced = await simulate({ ...tiny, peers: 12, granularity: 'flow', trace: 3 })
    const outcome = ({ p50Seconds, p99Seconds, maxSeconds, originUploadedBytes }: SimResult) => ({ p50Seconds, p99Seconds, maxSeconds, originUploadedBytes })
    expect(outcome(traced)).toEqual(outcome(plain))
    const trace = traced.trace!
    expect(trace.slowest).toHaveLength(3)
    const took = trace.slowest.map((p) => p.doneSeconds! - p.joinedSeconds)
    expect(took[0]).toBeCloseTo(traced.maxSeconds, 9)
    expect(took).toEqual([...took].sort((a, b) => b - a))
    for (const peer of trace.slowest) {
      const { samples } = peer
      expect(samples.length).toBeGreaterThan(0)
      expect(samples.map((s) => s.seconds)).toEqual(samples.map((_, i) => (i * trace.intervalMs) / 1000).map((s) => expect.closeTo(s, 9)))
      for (let i = 1; i < samples.length; i++) expect(samples[i]!.pieces).toBeGreaterThanOrEqual(samples[i - 1]!.pieces)
      expect(samples.at(-1)!.pieces).toBeLessThan(traced.pieces)
      for (const s of samples) expect(s.ready).toBeLessThanOrEqual(s.connections)
      expect(samples.some((s) => s.outstandingBlocks > 0)).toBe(true)
    }
    const { halfSeconds, ninetyPercentSeconds, allSeconds } = trace.originFirstCopy
    expect(halfSeconds).toBeGreaterThan(0)
    expect(ninetyPercentSeconds).toBeGreaterThanOrEqual(halfSeconds!)
    expect(allSeconds).toBeGreaterThanOrEqual(ninetyPercentSeconds!)
    expect(allSeconds).toBeLessThanOrEqual(Math.max(...trace.slowest.map((p) => p.doneSeconds!)))
  })

  it('refuses a trace of the block model', async () => {
    await expect(simulate({ ...tiny, granularity: 'block', trace: 1 })).rejects.toThrow(/flow model/)
  })

  it('is what auto picks for a run too big for the block model', async () => {
    const r = await simulate({ peers: 20, sizeBytes: 4_000_000_000, pieceSize: 8 * 1024 * 1024, upload: [1000 * MB], latencyMs: 5 })
    expect(r.granularity).toBe('flow')
    expect(r.completed).toBe(20)
  })
})

describe('flow picker', () => {
  it('picks what core/picker.ts would: a candidate with the lowest score, nothing when it finds nothing', () => {
    const random = seededRandom(42)
    const pieces = 203
    for (let round = 0; round < 300; round++) {
      const have = new Bitfield(pieces)
      const remote = new Bitfield(pieces)
      const fetchers = new Uint8Array(pieces)
      const refusedUntil = new Float32Array(pieces)
      const availability = new Uint16Array(pieces)
      const fetchingHere = new Map<number, true>()
      const fill = round % 3 === 0 ? 0.02 : random()
      for (let p = 0; p < pieces; p++) {
        if (random() < fill) have.set(p)
        if (random() < 0.7) remote.set(p)
        // Every fourth round is endgame-like: every piece fetched from 1 to 3 neighbours already.
        fetchers[p] = round % 4 === 1 ? 1 + Math.floor(random() * 3) : random() < 0.3 ? Math.floor(random() * 4) : 0
        if (random() < 0.1) refusedUntil[p] = random() * 200
        if (fetchers[p]! > 0 && random() < 0.2) fetchingHere.set(p, true)
        availability[p] = Math.floor(random() * 3)
      }
      const now = 100
      const refused = (p: number) => refusedUntil[p]! > now
      // The neighbour's row between two full ones, as in the flow model's BitRows: reading past it or before it shows.
      const rows = new BitRows(pieces)
      rows.add(Bitfield.full(pieces).bytes)
      const remoteAt = rows.add(remote.bytes)
      rows.add(Bitfield.full(pieces).bytes)
      const input = { have, remoteBytes: rows.bytes, remoteAt, fetchers, refusedUntil, now, availability, random }
      const score = (p: number | undefined) => (p === undefined ? undefined : have.count < RANDOM_FIRST_PIECES ? 0 : availability[p])
      const busy = (p: number) => fetchers[p] !== 0 || refused(p)
      const fast = pickPieceFast(input)
      const core = pickPiece({ have, remote, busy, availability, random })
      expect(score(fast)).toBe(score(core))
      if (fast !== undefined) expect(remote.has(fast) && !have.has(fast) && !busy(fast)).toBe(true)
      const excluded = (p: number) => fetchingHere.has(p) || refused(p)
      const fastEnd = pickEndgamePieceFast(input, fetchingHere)
      const coreEnd = pickEndgamePiece({ have, remote, downloaders: (p) => fetchers[p]!, excluded, random })
      expect(fastEnd === undefined ? undefined : fetchers[fastEnd]).toBe(coreEnd === undefined ? undefined : fetchers[coreEnd])
      if (fastEnd !== undefined) expect(remote.has(fastEnd) && !have.has(fastEnd) && !excluded(fastEnd) && fetchers[fastEnd]! < MAX_ENDGAME_DOWNLOADERS).toBe(true)
    }
  })

  it('chooses uniformly among the pieces tied for the lowest score', () => {
    const have = new Bitfield(40)
    for (let p = 0; p < 4; p++) have.set(p)
    const availability = new Uint16Array(40).fill(5)
    for (const p of [10, 20, 30]) availability[p] = 1
    const seen = new Map<number, number>()
    const input = { have, remoteBytes: Bitfield.full(40).bytes, remoteAt: 0, fetchers: new Uint8Array(40), refusedUntil: new Float32Array(40), now: 0, availability, random: seededRandom(9) }
    for (let i = 0; i < 3000; i++) {
      const p = pickPieceFast(input)!
      seen.set(p, (seen.get(p) ?? 0) + 1)
    }
    expect([...seen.keys()].sort()).toEqual([10, 20, 30])
    for (const n of seen.values()) expect(n).toBeGreaterThan(900)
  })
})

describe('BitRows', () => {
  it('keeps each row apart, and its rows through growth', () => {
    const rows = new BitRows(203)
    const offsets: number[] = []
    // Past the 64 rows it starts with, so it grows (twice).
    for (let r = 0; r < 200; r++) {
      const bits = new Bitfield(203)
      for (let p = r % 7; p < 203; p += 7) bits.set(p)
      offsets.push(rows.add(r % 2 === 0 ? bits.bytes : undefined))
    }
    expect(rows.set(offsets[5]!, 202)).toBe(true)
    expect(rows.set(offsets[5]!, 202)).toBe(false)
    for (let r = 0; r < 200; r++) {
      for (let p = 0; p < 203; p++) {
        const expected = (r % 2 === 0 && p % 7 === r % 7) || (r === 5 && p === 202)
        expect(rows.has(offsets[r]!, p)).toBe(expected)
      }
    }
  })
})

describe('Ring', () => {
  it('is first in, first out through growth and wrap-around', () => {
    const ring = new Ring<number>()
    const expected: number[] = []
    let next = 0
    const random = seededRandom(5)
    for (let step = 0; step < 5000; step++) {
      if (random() < 0.55) {
        ring.push(next)
        expected.push(next++)
      } else if (ring.size > 0) {
        expect(ring.at(ring.size - 1)).toBe(expected[expected.length - 1])
        expect(ring.shift()).toBe(expected.shift())
      }
      expect(ring.size).toBe(expected.length)
    }
    expect(expected.length).toBeGreaterThan(16)
    ring.clear()
    expect(ring.size).toBe(0)
    ring.push(7)
    expect(ring.shift()).toBe(7)
  })
})

describe('EventQueue', () => {
  it('runs events in time order, same-time events in scheduling order, and skips cleared ones', () => {
    const queue = new EventQueue()
    const seen: string[] = []
    queue.setTimeout(() => seen.push('b'), 20)
    queue.setTimeout(() => seen.push('a'), 10)
    queue.setTimeout(() => seen.push('c'), 20)
    queue.clearTimeout(queue.setTimeout(() => seen.push('x'), 15))
    queue.run(() => false)
    expect(seen).toEqual(['a', 'b', 'c'])
    expect(queue.now()).toBe(20)
  })

  it('keeps that order across its heap and its fixed-delay lanes, as events schedule more events', () => {
    const queue = new EventQueue()
    const random = seededRandom(11)
    // Delays on a 5 ms grid, so same-time events abound; 20 of them, more than there are lanes.
    const delay = () => 5 * Math.floor(random() * 20)
    const seen: { at: number; order: number }[] = []
    let scheduled = 0
    const schedule = (depth: number): void => {
      const order = scheduled++
      const ms = delay()
      const at = queue.now() + ms
      const fn = () => {
        seen.push({ at, order })
        if (depth < 3) for (let k = 0; k < 3; k++) schedule(depth + 1)
      }
      const how = random()
      if (how < 0.33) queue.at(at, fn)
      else if (how < 0.66) queue.after(ms, fn)
      else queue.setTimeout(fn, ms)
    }
    for (let k = 0; k < 200; k++) schedule(0)
    queue.run(() => false)
    expect(seen).toHaveLength(scheduled)
    // Each event ran at its time; time never went back, and same-time events ran in scheduling order.
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!]
      expect(b.at > a.at || (b.at === a.at && b.order > a.order)).toBe(true)
    }
  })
})

describe('parseDuration', () => {
  it('reads ms, s and bare milliseconds', () => {
    expect(parseDuration('20ms')).toBe(20)
    expect(parseDuration('1.5s')).toBe(1500)
    expect(parseDuration('7')).toBe(7)
    expect(() => parseDuration('fast')).toThrow(/duration/)
  })
})

describe('flow chunk size', () => {
  const GB = 1_000_000_000
  it('moves whole 4 MiB pieces in the 1000 x 5 GB run at 5 GB/s', () => {
    expect(chunkBlocks({ peers: 1000, sizeBytes: 5 * GB, pieceSize: 4 * 1024 * 1024, rates: [5 * GB] })).toBe(64)
  })

  it('moves single blocks in runs the budget allows', () => {
    expect(chunkBlocks({ peers: 30, sizeBytes: 100 * MB, pieceSize: 1024 * 1024, rates: [5 * GB] })).toBe(1)
  })

  it("keeps a chunk within what a connection's share of the slowest link moves in 50 ms", () => {
    // 1 Gbit/s over 24 connections: 5.2 MB/s, 260 kB in 50 ms: 3 blocks of 64 KiB, though the budget would take whole pieces.
    expect(chunkBlocks({ peers: 1000, sizeBytes: 5 * GB, pieceSize: 4 * 1024 * 1024, rates: [125 * MB] })).toBe(3)
    expect(chunkBlocks({ peers: 1000, sizeBytes: 5 * GB, pieceSize: 4 * 1024 * 1024, rates: [5 * GB, 125 * MB] })).toBe(3)
    expect(chunkBlocks({ peers: 1000, sizeBytes: 5 * GB, pieceSize: 4 * 1024 * 1024, rates: [1 * MB] })).toBe(1)
  })
})
