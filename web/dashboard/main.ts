/**
 * The swarm dashboard (`/dashboard`): listens to the tracker's read-only `/dashboard` namespace
 * and draws every swarm it reports, one SwarmView each, animated on requestAnimationFrame.
 */
import { io } from 'socket.io-client'
import type { Socket } from 'socket.io-client'
import { formatRate } from '../../core/format.ts'
import type { DashboardServerEvents, DashboardSnapshot } from '../../core/tracker-protocol.ts'
import { SwarmView } from './swarm-view.ts'
import './dashboard.css'

const root = document.getElementById('swarms')
const status = document.getElementById('status')
const totals = document.getElementById('totals')
if (!root || !status || !totals) throw new Error('dashboard/index.html lacks #swarms, #status or #totals')

const views = new Map<string, SwarmView>()
let frame = 0

// The page is served by the tracker itself, under whatever path prefix the tracker has.
const prefix = window.location.pathname.replace(/\/dashboard\/?$/, '')
const socket: Socket<DashboardServerEvents> = io(`${window.location.origin}/dashboard`, {
  path: `${prefix}/socket.io/`,
  transports: ['websocket'],
})
socket.on('connect', () => setStatus('live', 'live'))
socket.on('disconnect', () => setStatus('reconnecting…', 'down'))
socket.on('connect_error', (err) => setStatus(err.message === 'websocket error' ? 'tracker unreachable, retrying…' : err.message, 'down'))
socket.on('snapshot', render)

function setStatus(text: string, state: string): void {
  status!.textContent = text
  status!.dataset.state = state
}

function render(snapshot: DashboardSnapshot): void {
  const seen = new Set<string>()
  for (const swarm of snapshot.swarms) {
    seen.add(swarm.id)
    let view = views.get(swarm.id)
    if (!view) {
      view = new SwarmView(swarm.id)
      views.set(swarm.id, view)
    }
    view.update(swarm)
  }
  for (const [id, view] of views) {
    if (seen.has(id)) continue
    view.element.remove()
    views.delete(id)
  }
  // In snapshot order (busiest first), moving only what is out of place.
  snapshot.swarms.forEach((swarm, index) => {
    const element = views.get(swarm.id)!.element
    if (root!.children[index] !== element) root!.insertBefore(element, root!.children[index] ?? null)
  })
  root!.dataset.swarms = String(snapshot.swarms.length)
  const peers = snapshot.swarms.reduce((sum, s) => sum + s.peers.length, 0)
  const rate = snapshot.swarms.reduce((sum, s) => sum + s.uploadRate, 0)
  totals!.textContent = snapshot.swarms.length === 0 ? 'no active swarms' : `${snapshot.swarms.length} swarm${snapshot.swarms.length === 1 ? '' : 's'} · ${peers} peers · ${formatRate(rate)}`
  if (!frame) frame = requestAnimationFrame(animate)
}

/** Runs the layouts until every one is at rest; the next snapshot wakes them again. */
function animate(): void {
  let moving = false
  for (const view of views.values()) moving = view.tick() || moving
  frame = moving ? requestAnimationFrame(animate) : 0
}
