/**
 * core/picker.ts's pickPiece and pickEndgamePiece, specialised to the flow model's typed arrays.
 * A 1000-peer run starts about two million pieces and every start scans every piece; through the
 * general functions (a closure call per piece, two of them polymorphic, and a random draw per tie
 * for the reservoir sampling) those scans alone took longer than the whole run may. Same
 * candidates, same scores, the lowest score chosen uniformly at random among its ties, but with
 * one random draw instead of one per tie; test/unit/sim.test.ts checks every pick against
 * core/picker.ts's candidates and scores, so a change to the policy there fails that test until
 * it is made here too.
 */
import type { Bitfield } from '../core/bitfield.ts'
import { MAX_ENDGAME_DOWNLOADERS, RANDOM_FIRST_PIECES } from '../core/picker.ts'

/** What a pick on one neighbour reads. */
export interface FlowPickInput {
  have: Bitfield
  /** The neighbour's pieces: a row of bits at `remoteAt` in `remoteBytes` (a BitRows buffer). */
  remoteBytes: Uint8Array
  remoteAt: number
  /** Neighbours each piece is being fetched from (FetchBook's downloaders). */
  fetchers: Uint8Array
  /** Until when each piece may not be asked of this neighbour; undefined when it has refused nothing. */
  refusedUntil: Float32Array | undefined
  now: number
  availability: Uint16Array
  random: () => number
}

/** Pieces tied for the lowest score in the current pick; grown as needed, shared by all picks. */
let ties = new Int32Array(1024)

/** pickPiece with busy(p) = fetchers[p] > 0 or refused. */
export function pickPieceFast(input: FlowPickInput): number | undefined {
  const rarest = RANDOM_FIRST_PIECES <= input.have.count
  return pickLowest(input, undefined, rarest ? input.availability : undefined)
}

/** pickEndgamePiece with excluded(p) = fetched from this neighbour already, or refused. */
export function pickEndgamePieceFast(input: FlowPickInput, fetchingHere: ReadonlyMap<number, unknown>): number | undefined {
  return pickLowest(input, fetchingHere, undefined)
}

/**
 * Normal pick (`fetchingHere` undefined): pieces nobody is fetching, scored by `scores` (0 when
 * undefined: random first). Endgame pick: pieces fetched by fewer than MAX_ENDGAME_DOWNLOADERS and
 * not from this neighbour, scored by how many fetch them.
 */
function pickLowest(input: FlowPickInput, fetchingHere: ReadonlyMap<number, unknown> | undefined, scores: Uint16Array | undefined): number | undefined {
  const { have, remoteBytes, remoteAt, fetchers, refusedUntil, now } = input
  const haveBytes = have.bytes
  if (ties.length < have.length) ties = new Int32Array(have.length)
  let lowest = Infinity
  let count = 0
  for (let byte = 0; byte < haveBytes.length; byte++) {
    let candidates = remoteBytes[remoteAt + byte]! & ~haveBytes[byte]! & 0xff
    while (candidates !== 0) {
      // Most significant bit first: pieces in ascending order, as core/picker.ts scans them.
      const bit = Math.clz32(candidates) - 24
      candidates &= ~(0x80 >> bit)
      const piece = byte * 8 + bit
      if (refusedUntil !== undefined && refusedUntil[piece]! > now) continue
      let value: number
      if (fetchingHere === undefined) {
        if (fetchers[piece] !== 0) continue
        value = scores === undefined ? 0 : scores[piece]!
      } else {
        value = fetchers[piece]!
        if (value >= MAX_ENDGAME_DOWNLOADERS || fetchingHere.has(piece)) continue
      }
      if (value > lowest) continue
      if (value < lowest) {
        lowest = value
        count = 0
      }
      ties[count++] = piece
    }
  }
  if (count === 0) return undefined
  return count === 1 ? ties[0]! : ties[Math.floor(input.random() * count)]!
}
