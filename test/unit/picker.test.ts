import { describe, expect, it } from 'vitest'
import { Bitfield } from '../../core/bitfield.ts'
import { pickEndgamePiece, pickPiece } from '../../core/picker.ts'

function field(length: number, pieces: number[]): Bitfield {
  const f = new Bitfield(length)
  for (const p of pieces) f.set(p)
  return f
}

/** A deterministic generator so tie-breaking is reproducible. */
function seeded(seed: number): () => number {
  let s = seed
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
}

describe('pickPiece', () => {
  const none = () => false

  it('picks the rarest piece the remote has once past the random-first phase', () => {
    const have = field(6, [0, 1, 2, 3])
    const remote = field(6, [0, 1, 2, 3, 4, 5])
    const availability = [5, 5, 5, 5, 3, 1]
    expect(pickPiece({ have, remote, busy: none, availability, random: seeded(1) })).toBe(5)
  })

  it('never picks a piece we have, the remote lacks, or one already in flight', () => {
    const have = field(8, [0, 1, 2, 3, 4])
    const remote = field(8, [0, 5, 6])
    const picked = pickPiece({ have, remote, busy: (p) => p === 5, availability: new Array(8).fill(1), random: seeded(2) })
    expect(picked).toBe(6)
  })

  it('returns undefined when the remote has nothing we need', () => {
    const have = field(4, [0, 1])
    expect(pickPiece({ have, remote: field(4, [0, 1]), busy: none, availability: [1, 1, 1, 1], random: seeded(3) })).toBeUndefined()
  })

  it('picks at random, ignoring rarity, for the first pieces', () => {
    const remote = Bitfield.full(100)
    const availability = Array.from({ length: 100 }, (_, i) => (i === 0 ? 0 : 10))
    const random = seeded(4)
    const picks = new Set<number>()
    for (let i = 0; i < 50; i++) {
      picks.add(pickPiece({ have: new Bitfield(100), remote, busy: none, availability, random })!)
    }
    expect(picks.size).toBeGreaterThan(20)
  })

  it('breaks ties between equally rare pieces evenly', () => {
    const have = field(10, [0, 1, 2, 3, 4, 5])
    const remote = Bitfield.full(10)
    const counts = new Map<number, number>()
    const random = seeded(5)
    for (let i = 0; i < 4000; i++) {
      const p = pickPiece({ have, remote, busy: none, availability: new Array(10).fill(2), random })!
      counts.set(p, (counts.get(p) ?? 0) + 1)
    }
    expect([...counts.keys()].sort()).toEqual([6, 7, 8, 9])
    for (const n of counts.values()) expect(n).toBeGreaterThan(800)
  })
})

describe('pickEndgamePiece', () => {
  it('fetches again the missing piece with the fewest downloaders', () => {
    const have = field(5, [0, 1, 2])
    const remote = Bitfield.full(5)
    const downloaders = (p: number) => (p === 3 ? 2 : 1)
    expect(pickEndgamePiece({ have, remote, downloaders, excluded: () => false, random: seeded(6) })).toBe(4)
  })

  it('skips pieces this peer already fetches, and pieces at the duplicate cap', () => {
    const have = field(5, [0, 1])
    const remote = Bitfield.full(5)
    const picked = pickEndgamePiece({
      have,
      remote,
      downloaders: (p) => (p === 2 ? 3 : 1),
      excluded: (p) => p === 3,
      random: seeded(7),
    })
    expect(picked).toBe(4)
    expect(pickEndgamePiece({ have, remote, downloaders: () => 3, excluded: () => false, random: seeded(8) })).toBeUndefined()
  })
})
