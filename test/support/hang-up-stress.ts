/**
 * Run as a child process by hang-up.test.ts: connects pairs of real @roamhq/wrtc peers that stream
 * blocks to each other at full speed until one of them closes its session mid-stream, and prints one JSON
 * line with what happened. A send racing the remote's close can crash the process outright
 * (SIGSEGV in RTCDataChannel::Send), which is why this runs apart from the test runner.
 *
 *   tsx test/support/hang-up-stress.ts <rounds>
 */
import SimplePeer from 'simple-peer'
import { Bitfield } from '../../core/bitfield.ts'
import { SimplePeerTransport } from '../../core/client/simple-peer-transport.ts'
import { systemClock } from '../../core/clock.ts'
import { PeerSession } from '../../core/peer-session.ts'
import { loadWrtc } from '../../worker/wrtc.ts'

const PIECES = 64
const BLOCK = new Uint8Array(16 * 1024)
/** The streaming side keeps this much queued, as an uploader with a full pipeline does. */
const QUEUED = 1024 * 1024
const swarmId = 'ef'.repeat(32)

interface Round {
  /** Which side's channel closed first: the streaming one (it hung up on the goodbye) or the closing one. */
  firstToHangUp: 'streamer' | 'closer'
}

async function connectedPair(): Promise<[SimplePeer.Instance, SimplePeer.Instance]> {
  const wrtc = loadWrtc() as SimplePeer.Options['wrtc']
  const a = new SimplePeer({ initiator: true, wrtc })
  const b = new SimplePeer({ wrtc })
  a.on('signal', (s) => b.signal(s))
  b.on('signal', (s) => a.signal(s))
  await Promise.all([a, b].map((p) => new Promise((resolve, reject) => p.once('connect', resolve).once('error', reject))))
  return [a, b]
}

async function round(): Promise<Round> {
  const [a, b] = await connectedPair()
  const streamerEnd = new SimplePeerTransport(a)
  const closerEnd = new SimplePeerTransport(b)
  const hangUps: Round['firstToHangUp'][] = []
  streamerEnd.on('close', () => hangUps.push('streamer'))
  closerEnd.on('close', () => hangUps.push('closer'))
  const streamer = new PeerSession(streamerEnd, { swarmId, localPeerId: 'streamer', verified: Bitfield.full(PIECES), clock: systemClock })
  const closer = new PeerSession(closerEnd, { swarmId, localPeerId: 'closer', verified: new Bitfield(PIECES), clock: systemClock })

  // Both stream, as neighbours that trade pieces do; each stops once its session has closed.
  for (const session of [streamer, closer]) {
    let open = true
    session.on('close', () => (open = false))
    const pump = () => {
      for (let i = 0; open && session.bufferedAmount < QUEUED; i++) session.sendBlock(i % PIECES, 0, BLOCK)
      if (open) setTimeout(pump, 1)
    }
    session.once('ready', pump)
  }

  // The closer closes at a random moment of the stream (a moment, not a count of blocks: a
  // channel saturated both ways can stall for seconds in wrtc).
  closer.once('ready', () => setTimeout(() => closer.close(), 10 + Math.random() * 150))
  await Promise.all([streamer.hungUp, closer.hungUp])
  return { firstToHangUp: hangUps[0]! }
}

const rounds = Number(process.argv[2])
const firstToHangUp = { streamer: 0, closer: 0 }
for (let i = 0; i < rounds; i++) firstToHangUp[(await round()).firstToHangUp]++
console.log(JSON.stringify({ rounds, firstToHangUp }))
process.exit(0)
