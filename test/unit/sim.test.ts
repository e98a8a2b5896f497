import { describe, expect, it } from 'vitest'
import { SimClock } from '../../sim/sim-clock.ts'
import { connect, SimHost } from '../../sim/sim-network.ts'
import { parseDuration } from '../../sim/parse.ts'
import { simulate } from '../../sim/simulation.ts'

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

describe('parseDuration', () => {
  it('reads ms, s and bare milliseconds', () => {
    expect(parseDuration('20ms')).toBe(20)
    expect(parseDuration('1.5s')).toBe(1500)
    expect(parseDuration('7')).toBe(7)
    expect(() => parseDuration('fast')).toThrow(/duration/)
  })
})
