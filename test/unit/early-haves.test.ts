import { describe, expect, it } from 'vitest'
import { Bitfield } from '../../core/bitfield.ts'
import { ANNOUNCE_AHEAD_MS, dueSoon, EarlyHaves } from '../../core/early-haves.ts'
import { FetchBook } from '../../core/fetch-book.ts'

describe('dueSoon', () => {
  it('is true once what is left arrives within the lead time at the sender rate', () => {
    // 1 MB at 100 MB/s is 10 ms; at 10 MB/s, 100 ms.
    expect(dueSoon(1e6, 100e6)).toBe(true)
    expect(dueSoon(1e6, 10e6)).toBe(false)
    expect(dueSoon((ANNOUNCE_AHEAD_MS / 1000) * 50e6, 50e6)).toBe(true)
    // No rate measured yet: never early.
    expect(dueSoon(1, 0)).toBe(false)
  })
})

/** EarlyHaves over a bitfield of `pieces`, with neighbours that can be changed and a log of the haves sent. */
function setup(pieces: number) {
  const verified = new Bitfield(pieces)
  const neighbours = { now: ['a', 'b'] }
  const sent: string[] = []
  const early = new EarlyHaves<string>({ verified, peers: () => neighbours.now, have: (peer, piece) => sent.push(`${peer}${piece}`) })
  const take = () => sent.splice(0)
  return { verified, neighbours, early, take }
}

describe('EarlyHaves', () => {
  it('announces a piece once, to the neighbours of the moment, and promises it until it is verified', () => {
    const { verified, neighbours, early, take } = setup(8)
    early.announce(2)
    neighbours.now = ['a', 'b', 'c']
    early.announce(2)
    expect(take()).toEqual(['a2', 'b2'])
    expect(early.promised(2)).toBe(true)
    expect(early.promised(1)).toBe(false)

    // Verified: only the neighbour that came since hears of it now.
    verified.set(2)
    expect(early.verified(2)).toBe(true)
    expect(take()).toEqual(['c2'])
    expect(early.promised(2)).toBe(false)
    expect(early.settled(2)).toBe(false)
    // A piece never announced early goes to everyone when verified, and never early once it is.
    verified.set(3)
    expect(early.verified(3)).toBe(false)
    early.announce(3)
    expect(take()).toEqual(['a3', 'b3', 'c3'])
  })

  it('withdraws a promise for a piece that stopped coming, once', () => {
    const { verified, early, take } = setup(8)
    early.announce(0)
    take()
    expect(early.settled(0)).toBe(true)
    expect(early.promised(0)).toBe(false)
    expect(early.settled(0)).toBe(false)
    // Fetched again later: the neighbours told early already believe it, so nobody is told again.
    verified.set(0)
    early.verified(0)
    expect(take()).toEqual([])
  })

  it('never shows neighbours the whole file before it is verified whole', () => {
    const { verified, early, take } = setup(4)
    verified.set(0)
    early.verified(0)
    take()
    // Pieces 1 and 2 may go early; 3 would leave nothing unannounced.
    early.announce(1)
    early.announce(2)
    early.announce(3)
    expect(take()).toEqual(['a1', 'b1', 'a2', 'b2'])
    // 3 verifies while 1 and 2 are still coming: its have would complete the picture, so it waits...
    verified.set(3)
    early.verified(3)
    expect(take()).toEqual([])
    verified.set(1)
    early.verified(1)
    expect(take()).toEqual([])
    // ... until the last piece announced early is verified.
    verified.set(2)
    early.verified(2)
    expect(take()).toEqual(['a3', 'b3'])
  })
})

describe('FetchBook idle', () => {
  it('hears of a piece when nobody fetches or verifies it any more, not while one still does', () => {
    const idle: number[] = []
    const book = new FetchBook((piece) => idle.push(piece))
    book.started(3)
    book.started(3)
    book.stopped(3)
    expect(idle).toEqual([])
    // Verification starts before the last fetch stops (as Swarm does): not idle in between.
    book.verifyStarted(3)
    book.stopped(3)
    expect(idle).toEqual([])
    book.verifyEnded(3)
    expect(idle).toEqual([3])
    book.started(5)
    book.stopped(5)
    expect(idle).toEqual([3, 5])
  })
})
