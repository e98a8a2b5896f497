/**
 * The peer wire protocol. Every message is one frame: a 4-byte big-endian length (of what
 * follows), a 1-byte type, then the type's fields. Frames are self-delimiting so the protocol
 * works over message channels and byte streams alike.
 */
import { ShoalError } from './errors.ts'
import { fromHex, toHex, utf8 } from './bytes.ts'

/** 2: `seed`. */
export const PROTOCOL_VERSION = 2
/** The largest block a peer may request or send. */
export const MAX_BLOCK_SIZE = 64 * 1024
/** Bitfields of up to 2 Mi pieces; anything bigger is an attack, not a file. */
export const MAX_FRAME_SIZE = 256 * 1024
const MAX_PEER_ID_BYTES = 64
const HEADER = 5

export const MessageType = {
  handshake: 0,
  bitfield: 1,
  have: 2,
  request: 3,
  block: 4,
  cancel: 5,
  reject: 6,
  goodbye: 7,
  seed: 8,
} as const

export interface BlockRef {
  piece: number
  offset: number
  length: number
}

export type Message =
  | { type: 'handshake'; version: number; swarmId: string; peerId: string }
  | { type: 'bitfield'; bits: Uint8Array }
  | { type: 'have'; piece: number }
  | ({ type: 'request' } & BlockRef)
  | { type: 'block'; piece: number; offset: number; data: Uint8Array }
  | ({ type: 'cancel' } & BlockRef)
  | ({ type: 'reject' } & BlockRef)
  /** The sender is closing: it sends nothing more, and the receiver should hang up. */
  | { type: 'goodbye' }
  /** The sender holds every piece; its bitfield and haves are what it offers now (see core/piece-offers.ts). */
  | { type: 'seed' }

export function encodeMessage(message: Message): Uint8Array {
  switch (message.type) {
    case 'handshake': {
      const swarm = fromHex(message.swarmId)
      const peer = utf8.encode(message.peerId)
      if (swarm.length !== 32) throw new ShoalError('BAD_INPUT', 'swarm id must be 32 bytes')
      if (peer.length === 0 || peer.length > MAX_PEER_ID_BYTES) throw new ShoalError('BAD_INPUT', 'peer id must be 1-64 bytes')
      const frame = allocate(MessageType.handshake, 1 + 32 + 1 + peer.length)
      frame.bytes[HEADER] = message.version
      frame.bytes.set(swarm, HEADER + 1)
      frame.bytes[HEADER + 33] = peer.length
      frame.bytes.set(peer, HEADER + 34)
      return frame.bytes
    }
    case 'bitfield': {
      const frame = allocate(MessageType.bitfield, message.bits.length)
      frame.bytes.set(message.bits, HEADER)
      return frame.bytes
    }
    case 'have': {
      const frame = allocate(MessageType.have, 4)
      frame.view.setUint32(HEADER, message.piece)
      return frame.bytes
    }
    case 'request':
    case 'cancel':
    case 'reject': {
      const frame = allocate(MessageType[message.type], 12)
      frame.view.setUint32(HEADER, message.piece)
      frame.view.setUint32(HEADER + 4, message.offset)
      frame.view.setUint32(HEADER + 8, message.length)
      return frame.bytes
    }
    case 'block': {
      const frame = allocate(MessageType.block, 8 + message.data.length)
      frame.view.setUint32(HEADER, message.piece)
      frame.view.setUint32(HEADER + 4, message.offset)
      frame.bytes.set(message.data, HEADER + 8)
      return frame.bytes
    }
    case 'goodbye':
    case 'seed':
      return allocate(MessageType[message.type], 0).bytes
  }
}

/**
 * Encodes a block frame into `scratch` (reused by the caller for every block it sends) and
 * returns the frame as a view of it: the hot path of uploading allocates nothing per block.
 */
export function encodeBlockInto(scratch: Uint8Array, piece: number, offset: number, data: Uint8Array): Uint8Array {
  const length = HEADER + 8 + data.length
  if (scratch.length < length) throw new RangeError('scratch buffer too small for the block')
  const view = new DataView(scratch.buffer, scratch.byteOffset, length)
  view.setUint32(0, length - 4)
  scratch[4] = MessageType.block
  view.setUint32(HEADER, piece)
  view.setUint32(HEADER + 4, offset)
  scratch.set(data, HEADER + 8)
  return scratch.subarray(0, length)
}

/** The largest frame a block can make. */
export const MAX_BLOCK_FRAME = HEADER + 8 + MAX_BLOCK_SIZE

function allocate(type: number, payloadLength: number): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(HEADER + payloadLength)
  const view = new DataView(bytes.buffer)
  view.setUint32(0, 1 + payloadLength)
  bytes[4] = type
  return { bytes, view }
}

/** Decodes one frame body (type byte onwards). Throws BAD_MESSAGE on anything malformed. */
export function decodeBody(body: Uint8Array): Message {
  if (body.length < 1) throw malformed('empty frame')
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength)
  const payload = body.length - 1
  const type = body[0]
  const expect = (length: number, name: string) => {
    if (payload !== length) throw malformed(`${name} must be ${length} bytes, got ${payload}`)
  }
  switch (type) {
    case MessageType.handshake: {
      if (payload < 35) throw malformed('handshake too short')
      const peerLength = body[34]!
      expect(34 + peerLength, 'handshake')
      if (peerLength === 0 || peerLength > MAX_PEER_ID_BYTES) throw malformed('bad peer id length')
      let peerId: string
      try {
        peerId = utf8.decode(body.subarray(35, 35 + peerLength))
      } catch {
        throw malformed('peer id is not UTF-8')
      }
      return { type: 'handshake', version: body[1]!, swarmId: toHex(body.subarray(2, 34)), peerId }
    }
    case MessageType.bitfield:
      return { type: 'bitfield', bits: body.slice(1) }
    case MessageType.have:
      expect(4, 'have')
      return { type: 'have', piece: view.getUint32(1) }
    case MessageType.request:
    case MessageType.cancel:
    case MessageType.reject: {
      expect(12, 'block reference')
      const ref = { piece: view.getUint32(1), offset: view.getUint32(5), length: view.getUint32(9) }
      const name = type === MessageType.request ? 'request' : type === MessageType.cancel ? 'cancel' : 'reject'
      return { type: name, ...ref }
    }
    case MessageType.block:
      if (payload < 8) throw malformed('block too short')
      if (payload - 8 > MAX_BLOCK_SIZE) throw malformed('block larger than the maximum block size')
      // A view, not a copy: the receiver copies the block into its piece buffer anyway.
      return { type: 'block', piece: view.getUint32(1), offset: view.getUint32(5), data: body.subarray(9) }
    case MessageType.goodbye:
      expect(0, 'goodbye')
      return { type: 'goodbye' }
    case MessageType.seed:
      expect(0, 'seed')
      return { type: 'seed' }
    default:
      throw malformed(`unknown message type ${type}`)
  }
}

/**
 * Reassembles frames from chunks that may split or join them. Transports that keep message
 * boundaries hand over one frame per chunk; this keeps the engine correct either way.
 */
export class FrameDecoder {
  #buffer: Uint8Array = new Uint8Array(0)

  push(chunk: Uint8Array): Message[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : concat(this.#buffer, chunk)
    const messages: Message[] = []
    while (this.#buffer.length >= 4) {
      const view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, this.#buffer.byteLength)
      const length = view.getUint32(0)
      if (length === 0 || length > MAX_FRAME_SIZE) throw malformed(`frame length ${length} out of range`)
      if (this.#buffer.length < 4 + length) break
      messages.push(decodeBody(this.#buffer.subarray(4, 4 + length)))
      this.#buffer = this.#buffer.subarray(4 + length)
    }
    return messages
  }

  get buffered(): number {
    return this.#buffer.length
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

function malformed(message: string): ShoalError {
  return new ShoalError('BAD_MESSAGE', message)
}
