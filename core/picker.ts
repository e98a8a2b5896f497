/**
 * Piece selection, pure: random for the first few pieces (so new peers quickly hold something
 * worth trading, and not all the same thing), then rarest first among what the remote offers.
 */
import type { Bitfield } from './bitfield.ts'

/** Pieces picked at random before switching to rarest first. */
export const RANDOM_FIRST_PIECES = 4

export interface PickInput {
  /** Pieces already verified locally. */
  have: Bitfield
  /** Pieces the remote peer offers. */
  remote: Bitfield
  /** True for pieces already being downloaded from some peer. */
  busy: (piece: number) => boolean
  /** How many connected peers hold each piece. */
  availability: ArrayLike<number>
  random: () => number
  randomFirst?: number
}

export function pickPiece(input: PickInput): number | undefined {
  const { have, remote, busy, availability, random } = input
  const randomFirst = (input.randomFirst ?? RANDOM_FIRST_PIECES) > have.count
  return pickLowest(have.length, random, (piece) => {
    if (!remote.has(piece) || have.has(piece) || busy(piece)) return undefined
    return randomFirst ? 0 : (availability[piece] ?? 0)
  })
}

/** At most this many peers fetch the same piece in endgame. */
export const MAX_ENDGAME_DOWNLOADERS = 3

export interface EndgamePickInput {
  have: Bitfield
  remote: Bitfield
  /** How many peers are fetching each piece now. */
  downloaders: (piece: number) => number
  /** True for pieces this peer is already fetching or may not ask this remote for. */
  excluded: (piece: number) => boolean
  random: () => number
  maxDownloaders?: number
}

/**
 * Endgame: every missing piece is already being fetched, so a peer with spare capacity fetches
 * one of them again (the least duplicated); whichever copy verifies first wins and the rest are
 * cancelled. This stops one slow peer from holding up the last pieces.
 */
export function pickEndgamePiece(input: EndgamePickInput): number | undefined {
  const { have, remote, downloaders, excluded, random } = input
  const max = input.maxDownloaders ?? MAX_ENDGAME_DOWNLOADERS
  return pickLowest(have.length, random, (piece) => {
    if (!remote.has(piece) || have.has(piece) || excluded(piece)) return undefined
    const count = downloaders(piece)
    return count < max ? count : undefined
  })
}

/**
 * The piece with the lowest score (undefined: not a candidate), ties broken uniformly at
 * random by reservoir sampling, in one pass.
 */
function pickLowest(pieceCount: number, random: () => number, score: (piece: number) => number | undefined): number | undefined {
  let chosen: number | undefined
  let lowest = Infinity
  let ties = 0
  for (let piece = 0; piece < pieceCount; piece++) {
    const value = score(piece)
    if (value === undefined || value > lowest) continue
    if (value < lowest) {
      lowest = value
      chosen = piece
      ties = 1
    } else if (random() * ++ties < 1) {
      chosen = piece
    }
  }
  return chosen
}
