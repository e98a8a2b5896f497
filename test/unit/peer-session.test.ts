import { describe, expect, it } from 'vitest'
import { Bitfield } from '../../core/bitfield.ts'
import { systemClock } from '../../core/clock.ts'
import { Emitter } from '../../core/emitter.ts'
import { GOODBYE_GRACE_MS, PeerSession } from '../../core/peer-session.ts'
import { type Transport, type TransportEvents, memoryTransportPair } from '../../core/transport.ts'
import { FrameDecoder, PROTOCOL_VERSION, encodeMessage } from '../../core/wire.ts'
import { VirtualClock } from '../support/virtual-clock.ts'

/** Records what the session hands to the channel, one entry per send(). */
class RecordingTransport extends Emitter<TransportEvents> implements Transport {
  bufferedAmount = 0
  sends: Uint8Array[] = []
  closedBy: 'us' | undefined
  send(frame: Uint8Array): void {
    this.sends.push(frame.slice())
  }
  close(): void {
    if (this.closedBy) return
    this.closedBy = 'us'
    this.emit('close')
  }
  receive(chunk: Uint8Array): void {
    this.emit('data', chunk)
  }
  types(): string[] {
    return this.sends.flatMap((chunk) => new FrameDecoder().push(chunk).map((m) => m.type))
  }
}

const swarmId = 'cd'.repeat(32)
const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('PeerSession', () => {
  it('sends the control frames of one turn as a single channel message, in order', async () => {
    const transport = new RecordingTransport()
    const session = new PeerSession(transport, { swarmId, localPeerId: 'local-peer', verified: new Bitfield(64), clock: systemClock })
    for (let i = 0; i < 10; i++) session.request({ piece: i, offset: 0, length: 1024 }, 5000)
    session.have(3)
    await tick()
    expect(transport.sends).toHaveLength(1)
    const types = new FrameDecoder().push(transport.sends[0]!).map((m) => m.type)
    expect(types).toEqual(['handshake', 'bitfield', ...new Array(10).fill('request'), 'have'])
  })

  it('flushes pending control frames before a block, keeping protocol order', async () => {
    const transport = new RecordingTransport()
    const session = new PeerSession(transport, { swarmId, localPeerId: 'local-peer', verified: Bitfield.full(4), clock: systemClock })
    session.have(1)
    session.sendBlock(0, 0, new Uint8Array(100))
    await tick()
    expect(transport.types()).toEqual(['handshake', 'bitfield', 'have', 'block'])
    expect(transport.sends).toHaveLength(2)
  })

  it('says goodbye on close and leaves hanging up to the remote, which does so at once', async () => {
    const clock = new VirtualClock()
    const [aEnd, bEnd] = memoryTransportPair()
    const hungUpBy: string[] = []
    aEnd.on('close', () => hungUpBy.push('a'))
    bEnd.on('close', () => hungUpBy.push('b'))
    const a = new PeerSession(aEnd, { swarmId, localPeerId: 'peer-a', verified: Bitfield.full(4), clock })
    const b = new PeerSession(bEnd, { swarmId, localPeerId: 'peer-b', verified: new Bitfield(4), clock })
    const bReady = new Promise<void>((resolve) => b.once('ready', resolve))
    await clock.advance(0)
    await bReady
    const bClosed = new Promise<Error | undefined>((resolve) => b.once('close', resolve))
    let aHungUp = false
    void a.hungUp.then(() => (aHungUp = true))

    a.close()
    a.sendBlock(0, 0, new Uint8Array(10)) // ignored: a closed session sends nothing more
    await clock.advance(0)
    expect(await bClosed).toBeUndefined() // a goodbye is not an error
    expect(hungUpBy[0]).toBe('b')
    expect(aHungUp).toBe(true)
  })

  it('hangs up itself when the remote does not answer its goodbye within GOODBYE_GRACE_MS', async () => {
    const clock = new VirtualClock()
    const transport = new RecordingTransport()
    const session = new PeerSession(transport, { swarmId, localPeerId: 'local-peer', verified: new Bitfield(4), clock })
    session.request({ piece: 0, offset: 0, length: 1024 }, 5000)
    session.close()
    await clock.advance(0)
    // Pending control frames are dropped: after the goodbye the session sends nothing.
    expect(transport.types()).toEqual(['goodbye'])
    await clock.advance(GOODBYE_GRACE_MS - 1)
    expect(transport.closedBy).toBeUndefined()
    await clock.advance(1)
    expect(transport.closedBy).toBe('us')
    await session.hungUp
  })

  it('hangs up at once on a goodbye, ignoring what follows it', async () => {
    const clock = new VirtualClock()
    const transport = new RecordingTransport()
    const session = new PeerSession(transport, { swarmId, localPeerId: 'local-peer', verified: new Bitfield(4), clock })
    const events: string[] = []
    session.on('have', () => events.push('have'))
    session.on('close', (reason) => events.push(`close:${reason?.message ?? 'goodbye'}`))
    const frames = [
      encodeMessage({ type: 'handshake', version: PROTOCOL_VERSION, swarmId, peerId: 'remote-peer' }),
      encodeMessage({ type: 'goodbye' }),
      encodeMessage({ type: 'have', piece: 1 }),
    ]
    transport.receive(new Uint8Array(frames.flatMap((f) => [...f])))
    expect(transport.closedBy).toBe('us')
    expect(events).toEqual(['close:goodbye'])
    await session.hungUp
  })
})
