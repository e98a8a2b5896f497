import { describe, expect, it } from 'vitest'
import { Bitfield } from '../../core/bitfield.ts'
import { TokenBucket } from '../../core/token-bucket.ts'
import { type UploadTarget, Uploader } from '../../core/uploader.ts'
import type { BlockRef } from '../../core/wire.ts'
import { VirtualClock } from '../support/virtual-clock.ts'

const PIECE = 64 * 1024
const BLOCK = 16 * 1024

class Target implements UploadTarget {
  remote = new Bitfield(8)
  bufferedAmount = 0
  sent: { piece: number; offset: number; at: number }[] = []
  rejected: BlockRef[] = []
  constructor(private readonly clock: VirtualClock, readonly name: string, readonly log: string[]) {}
  sendBlock(piece: number, offset: number): void {
    this.sent.push({ piece, offset, at: this.clock.now() })
    this.log.push(this.name)
  }
  reject(ref: BlockRef): void {
    this.rejected.push(ref)
  }
}

function setup(
  options: {
    limiter?: TokenBucket
    admit?: (peer: UploadTarget, piece: number) => boolean
    clock?: VirtualClock
    verified?: Bitfield
    promised?: (piece: number) => boolean
  } = {},
) {
  const clock = options.clock ?? new VirtualClock()
  const verified = options.verified ?? Bitfield.full(8)
  let uploaded = 0
  const uploader = new Uploader({
    source: { verified, pieceLength: () => PIECE, read: async (_p, _o, length) => new Uint8Array(length), promised: options.promised },
    clock,
    limiter: options.limiter,
    admit: options.admit,
    onUploaded: (bytes) => (uploaded += bytes),
    onError: (e) => {
      throw e
    },
  })
  return { clock, uploader, uploaded: () => uploaded }
}

const blocks = (piece: number): BlockRef[] => [0, 1, 2, 3].map((i) => ({ piece, offset: i * BLOCK, length: BLOCK }))

describe('Uploader', () => {
  it('serves peers in turn, a whole piece each, however deep their queues', async () => {
    const { clock, uploader } = setup()
    const log: string[] = []
    const a = new Target(clock, 'a', log)
    const b = new Target(clock, 'b', log)
    for (const ref of [...blocks(0), ...blocks(1)]) uploader.enqueue(a, ref)
    for (const ref of blocks(2)) uploader.enqueue(b, ref)
    await clock.advance(0)
    expect(log.join('')).toBe('aaaabbbbaaaa')
    expect(a.sent).toHaveLength(8)
    expect(b.sent).toHaveLength(4)
  })

  it('keeps requests for a promised piece until it is verified, serving the rest meanwhile', async () => {
    const verified = new Bitfield(8)
    for (const piece of [0, 1, 2, 3, 4, 6, 7]) verified.set(piece)
    const { clock, uploader } = setup({ verified, promised: (piece) => piece === 5 })
    const log: string[] = []
    const a = new Target(clock, 'a', log)
    for (const ref of [...blocks(5), ...blocks(1)]) uploader.enqueue(a, ref)
    await clock.advance(0)
    expect(a.rejected).toEqual([])
    expect(a.sent.map((s) => s.piece)).toEqual([1, 1, 1, 1])
    verified.set(5)
    uploader.pump()
    await clock.advance(0)
    expect(a.sent.map((s) => `${s.piece}@${s.offset}`).slice(4)).toEqual(blocks(5).map((r) => `5@${r.offset}`))
    expect(a.rejected).toEqual([])
  })

  it('rejects what waits for a promised piece once the promise is withdrawn, and what comes after', async () => {
    const verified = new Bitfield(8)
    let promised = true
    const { clock, uploader } = setup({ verified, promised: (piece) => promised && piece === 2 })
    const a = new Target(clock, 'a', [])
    for (const ref of blocks(2)) uploader.enqueue(a, ref)
    await clock.advance(0)
    expect(a.rejected).toEqual([])
    promised = false
    uploader.withdraw(2)
    expect(a.rejected).toEqual(blocks(2))
    uploader.enqueue(a, blocks(2)[0]!)
    expect(a.rejected).toHaveLength(5)
    expect(a.sent).toEqual([])
  })

  it('rejects requests for pieces it lacks or ranges outside the piece', async () => {
    const { clock, uploader } = setup()
    const peer = new Target(clock, 'p', [])
    const bad = [
      { piece: 9, offset: 0, length: BLOCK },
      { piece: 0, offset: PIECE - 10, length: BLOCK },
      { piece: 0, offset: 0, length: 0 },
      { piece: 0, offset: 0, length: 1024 * 1024 },
    ]
    for (const ref of bad) uploader.enqueue(peer, ref)
    await clock.advance(0)
    expect(peer.rejected).toEqual(bad)
    expect(peer.sent).toEqual([])
  })

  it('asks the admission policy and rejects what it refuses', async () => {
    const { clock, uploader } = setup({ admit: (_peer, piece) => piece !== 3 })
    const peer = new Target(clock, 'p', [])
    uploader.enqueue(peer, { piece: 3, offset: 0, length: BLOCK })
    uploader.enqueue(peer, { piece: 4, offset: 0, length: BLOCK })
    await clock.advance(0)
    expect(peer.rejected.map((r) => r.piece)).toEqual([3])
    expect(peer.sent.map((s) => s.piece)).toEqual([4])
  })

  it('does not fill a channel past its high-water mark, and resumes on pump', async () => {
    const { clock, uploader } = setup()
    const peer = new Target(clock, 'p', [])
    peer.bufferedAmount = 64 * 1024 * 1024
    for (const ref of blocks(0)) uploader.enqueue(peer, ref)
    await clock.advance(0)
    expect(peer.sent).toHaveLength(0)
    peer.bufferedAmount = 0
    uploader.pump()
    await clock.advance(0)
    expect(peer.sent).toHaveLength(4)
  })

  it('keeps to the upload limit: bytes sent never exceed rate x time + burst', async () => {
    const clock = new VirtualClock()
    const limiter = new TokenBucket({ rate: 100 * 1024, burst: 32 * 1024, clock })
    const { uploader, uploaded } = setup({ limiter, clock })
    const peer = new Target(clock, 'p', [])
    for (let piece = 0; piece < 8; piece++) for (const ref of blocks(piece)) uploader.enqueue(peer, ref)
    const start = clock.now()
    for (let i = 0; i < 100; i++) {
      await clock.advance(50)
      expect(uploaded()).toBeLessThanOrEqual((100 * 1024 * (clock.now() - start)) / 1000 + 32 * 1024)
    }
    expect(uploaded()).toBe(8 * PIECE) // 512 KiB at 100 KiB/s (+32 KiB burst): done within the 5 s simulated
  })

  it('drops queued requests the peer cancelled', async () => {
    const { clock, uploader } = setup()
    const peer = new Target(clock, 'p', [])
    peer.bufferedAmount = 64 * 1024 * 1024
    for (const ref of blocks(0)) uploader.enqueue(peer, ref)
    uploader.cancel(peer, blocks(0)[1]!)
    peer.bufferedAmount = 0
    uploader.pump()
    await clock.advance(0)
    expect(peer.sent.map((s) => s.offset)).toEqual([0, 2 * BLOCK, 3 * BLOCK])
  })
})
