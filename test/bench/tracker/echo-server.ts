/**
 * The benchmark's floor: a bare Socket.IO server, configured as the tracker's is, that answers
 * every `announce` at once with an empty peer list. Driven by the same generators at the same
 * load, it shows what Socket.IO, the loopback network and this machine cost by themselves, so
 * the tracker's own share of the latency and memory is the difference. Forked by service.ts.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Server } from 'socket.io'
import { MAX_MANIFEST_BYTES } from '../../../core/manifest.ts'

const httpServer = createServer((_req, res) => res.writeHead(404).end())
// The tracker's own options (signaling/server.ts): the same per-message cap and no client bundle.
const io = new Server(httpServer, { maxHttpBufferSize: MAX_MANIFEST_BYTES + 64 * 1024, serveClient: false })
io.on('connection', (socket) => {
  socket.on('announce', (_body: unknown, ack: unknown) => {
    if (typeof ack === 'function') ack({ ok: true, peers: [] })
  })
})
httpServer.listen(0, '127.0.0.1', () => {
  const { port } = httpServer.address() as AddressInfo
  process.send!({ type: 'listening', url: `http://127.0.0.1:${port}` })
})
const stop = () => void io.close().then(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
