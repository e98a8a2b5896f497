import { describe, expect, it } from 'vitest'
import { Bitfield } from '../../core/bitfield.ts'
import { DistinctFirstPolicy } from '../../core/distinct-first.ts'
import { PieceOffers, offerWindow, superSeedPays } from '../../core/piece-offers.ts'
import { seededRandom } from '../../sim/random.ts'

interface Neighbour {
  name: string
  has: Bitfield
  /** Offered and not yet asked for, as the neighbour sees it. */
  shown: number[]
}

const PIECE_SIZE = 4 * 1024 * 1024
/** Pieces shown at once for PIECE_SIZE. */
const WINDOW = 4

/** An origin's offers over `pieces` pieces of PIECE_SIZE, granting what is asked for as Swarm does. */
function origin(pieces: number) {
  const policy = new DistinctFirstPolicy(pieces)
  const offers = new PieceOffers<Neighbour>({
    pieceCount: pieces,
    pieceSize: PIECE_SIZE,
    sent: policy,
    random: seededRandom(1),
    offer: (neighbour, piece) => neighbour.shown.push(piece),
  })
  const join = (name: string, has = new Bitfield(pieces)): Neighbour => {
    const neighbour: Neighbour = { name, has, shown: [] }
    offers.open(neighbour, has)
    return neighbour
  }
  /** The neighbour asks for the first piece it was shown and receives it. */
  const ask = (neighbour: Neighbour): number => {
    const piece = neighbour.shown.shift()!
    expect(offers.isOffered(neighbour, piece)).toBe(true)
    expect(offers.admit(neighbour, neighbour.has, piece)).toBe(true)
    neighbour.has.set(piece)
    return piece
  }
  return { offers, join, ask, policy }
}

describe('PieceOffers', () => {
  it('shows enough pieces at once to fill the deepest pipeline, and at least four', () => {
    expect(offerWindow(PIECE_SIZE)).toBe(WINDOW)
    expect(offerWindow(256 * 1024)).toBe(48)
  })

  it('is used only for a file in at least two windows of pieces for each of a full set of neighbours', () => {
    expect(superSeedPays(1193, 4 * 1024 * 1024)).toBe(true)
    expect(superSeedPays(192, 4 * 1024 * 1024)).toBe(true)
    expect(superSeedPays(191, 4 * 1024 * 1024)).toBe(false)
    expect(superSeedPays(16, 256 * 1024)).toBe(false)
  })

  it('shows each neighbour up to its window of pieces, each piece to one neighbour at a time', () => {
    const { join } = origin(16)
    const shown = ['a', 'b', 'c'].map((name) => join(name).shown)
    for (const pieces of shown) expect(pieces).toHaveLength(WINDOW)
    expect(new Set(shown.flat()).size).toBe(3 * WINDOW)
  })

  it('sends every piece once, never twice, and never offers a neighbour what it holds', () => {
    const { offers, join, ask } = origin(12)
    const holder = new Bitfield(12)
    for (const piece of [0, 1, 2]) holder.set(piece)
    const neighbours = [join('a'), join('b'), join('c', holder)]
    const sent: number[] = []
    const sentToC: number[] = []
    while (!offers.revealed) {
      const asking = neighbours.filter((n) => n.shown.length > 0)
      expect(asking.length).toBeGreaterThan(0)
      for (const n of asking) {
        const piece = ask(n)
        sent.push(piece)
        if (n.name === 'c') sentToC.push(piece)
      }
    }
    expect(sent.sort((x, y) => x - y)).toEqual([...Array(12).keys()])
    expect(sentToC.filter((piece) => piece < 3)).toEqual([])
  })

  it('takes back an offer the neighbour turns out to hold, and offers another', () => {
    const { offers, join } = origin(8)
    const has = new Bitfield(8)
    const a = join('a', has)
    const [first, second] = a.shown
    // Its bitfield arrives: it already holds the first piece shown.
    has.set(first!)
    offers.refresh(a)
    expect(offers.isOffered(a, first!)).toBe(false)
    expect(offers.isOffered(a, second!)).toBe(true)
    expect(a.shown).toHaveLength(WINDOW + 1)
    expect(a.shown[WINDOW]).not.toBe(first)
  })

  it('holds back pieces for a later neighbour until they are free, and once every piece went out shows everyone the rest', () => {
    const { offers, join, ask } = origin(2 * WINDOW)
    const a = join('a')
    const b = join('b')
    const late = join('late')
    expect(late.shown).toEqual([])
    const toA = Array.from({ length: WINDOW }, () => ask(a))
    const toB = Array.from({ length: WINDOW - 1 }, () => ask(b))
    expect(offers.revealed).toBe(false)
    toB.push(ask(b))
    expect(offers.revealed).toBe(true)
    // Each is shown what it lacks: a the pieces b got, b those a got (and the one it just asked
    // for, still on its way: shown again, which it ignores), late every piece.
    expect(a.shown.sort()).toEqual([...toB].sort())
    expect(b.shown.filter((piece) => !b.has.has(piece)).sort()).toEqual([...toA].sort())
    expect(late.shown.sort()).toEqual([...Array(2 * WINDOW).keys()])
    expect(offers.isOffered(a, toB[0]!)).toBe(false)
    expect(() => join('after')).toThrow()
  })

  it('frees the offers of a neighbour that leaves for the others', () => {
    const { offers, join } = origin(2)
    const a = join('a')
    const b = join('b')
    expect(a.shown).toHaveLength(2)
    expect(b.shown).toEqual([])
    offers.close(a)
    expect(b.shown.sort()).toEqual([0, 1])
  })
})
