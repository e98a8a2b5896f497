/**
 * One swarm on the dashboard: a header with its totals, an animated SVG graph (peers as nodes
 * with a completion ring, flows as edges whose dashes run from sender to receiver, wider and
 * faster with the rate), a polite live summary, and a visually hidden table with the same data.
 * Every element carries its numbers in data attributes, for tests and for anyone scripting it.
 */
import { formatBytes, formatRate } from '../../core/format.ts'
import type { DashboardPeer, DashboardSwarm } from '../../core/tracker-protocol.ts'
import { ForceLayout } from './force-layout.ts'

const SVG = 'http://www.w3.org/2000/svg'
const WIDTH = 960
const HEIGHT = 440
const RING = 2 * Math.PI * 20
/** Zoomed in no further than this: a lone pair of peers should not fill the screen. */
const MIN_VIEW_WIDTH = 520

export class SwarmView {
  readonly element: HTMLElement
  readonly #title: HTMLElement
  readonly #figures: HTMLElement
  readonly #live: HTMLElement
  readonly #svg: SVGSVGElement
  readonly #edgeLayer: SVGGElement
  readonly #nodeLayer: SVGGElement
  readonly #table: HTMLTableSectionElement
  readonly #layout = new ForceLayout({ width: WIDTH, height: HEIGHT })
  readonly #nodes = new Map<string, SVGGElement>()
  readonly #edges = new Map<string, { path: SVGPathElement; label: SVGTextElement }>()
  #data: DashboardSwarm | undefined
  /** The part of the layout in view: it follows the nodes, so a small swarm fills its panel. */
  #view = { x: 0, y: 0, width: WIDTH, height: HEIGHT }
  #spoken = ''

  constructor(id: string) {
    this.element = el('section', { class: 'swarm', 'data-swarm': id, 'aria-labelledby': `swarm-${id}` })
    const header = el('header', { class: 'swarm-header' })
    this.#title = el('h2', { id: `swarm-${id}` })
    this.#figures = el('dl', { class: 'figures' })
    header.append(this.#title, this.#figures)
    this.#live = el('p', { class: 'visually-hidden', 'aria-live': 'polite' })
    this.#svg = document.createElementNS(SVG, 'svg')
    attrs(this.#svg, { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'graph', 'aria-hidden': 'true' })
    this.#edgeLayer = svg('g', { class: 'edges' })
    this.#nodeLayer = svg('g', { class: 'nodes' })
    this.#svg.append(this.#edgeLayer, this.#nodeLayer)
    const table = el('table', { class: 'visually-hidden' })
    table.innerHTML = `<caption>Peers of this swarm</caption><thead><tr><th scope="col">peer</th><th scope="col">role</th><th scope="col">completion</th><th scope="col">download</th><th scope="col">upload</th></tr></thead>`
    this.#table = document.createElement('tbody')
    table.append(this.#table)
    this.element.append(header, this.#live, this.#svg, table)
  }

  update(swarm: DashboardSwarm): void {
    this.#data = swarm
    const complete = swarm.peers.filter((p) => p.complete).length
    this.element.dataset.peers = String(swarm.peers.length)
    this.element.dataset.edges = String(swarm.edges.length)
    this.#title.textContent = swarm.name ?? `swarm ${swarm.id}`
    this.#title.title = `swarm ${swarm.id}…`
    const offload = swarm.offload === undefined ? '–' : `${Math.round(swarm.offload * 100)}%`
    this.#figures.replaceChildren(
      ...figure('peers', String(swarm.peers.length), 'peers'),
      ...figure('seeding', String(complete), 'complete'),
      ...figure('throughput', formatRate(swarm.uploadRate), 'throughput'),
      ...figure('origin offload', offload, 'offload'),
      ...figure('size', formatBytes(swarm.size), 'size'),
    )
    // Spoken only when it changes in a way worth hearing: not every second's rate.
    const spoken = `${this.#title.textContent}: ${swarm.peers.length} peers, ${complete} complete, origin offload ${swarm.offload === undefined ? 'not known yet' : `about ${Math.round(swarm.offload * 10) * 10}%`}.`
    if (spoken !== this.#spoken) this.#live.textContent = this.#spoken = spoken
    this.#table.replaceChildren(...swarm.peers.map(row))
    this.#layout.update(
      swarm.peers.map((p) => p.id),
      swarm.edges.map((e) => [e.from, e.to] as const),
    )
    this.#syncNodes(swarm.peers)
    this.#syncEdges(swarm)
    this.draw()
  }

  /** Advances the layout one step and moves the drawing; false once the layout and the view are at rest. */
  tick(): boolean {
    const moving = this.#layout.tick()
    const panning = this.#follow()
    if (moving || panning) this.draw()
    return moving || panning
  }

  /** Eases the viewBox toward the nodes' bounds (with room for labels), at least MIN_VIEW_WIDTH wide. */
  #follow(): boolean {
    const nodes = [...this.#layout.nodes.values()]
    if (nodes.length === 0) return false
    const pad = 70
    const minX = Math.min(...nodes.map((n) => n.x)) - pad
    const maxX = Math.max(...nodes.map((n) => n.x)) + pad
    const minY = Math.min(...nodes.map((n) => n.y)) - pad
    const maxY = Math.max(...nodes.map((n) => n.y)) + pad
    const aspect = WIDTH / HEIGHT
    const width = Math.max(MIN_VIEW_WIDTH, maxX - minX, (maxY - minY) * aspect)
    const height = width / aspect
    const target = { x: (minX + maxX - width) / 2, y: (minY + maxY - height) / 2, width, height }
    const view = this.#view
    let moved = false
    for (const key of ['x', 'y', 'width', 'height'] as const) {
      const delta = target[key] - view[key]
      if (Math.abs(delta) > 0.5) moved = true
      view[key] += delta * 0.12
    }
    this.#svg.setAttribute('viewBox', `${view.x.toFixed(1)} ${view.y.toFixed(1)} ${view.width.toFixed(1)} ${view.height.toFixed(1)}`)
    return moved
  }

  draw(): void {
    const positions = this.#layout.nodes
    for (const [id, node] of this.#nodes) {
      const p = positions.get(id)
      if (p) node.setAttribute('transform', `translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})`)
    }
    for (const edge of this.#data?.edges ?? []) {
      const drawn = this.#edges.get(`${edge.from}>${edge.to}`)
      const a = positions.get(edge.from)
      const b = positions.get(edge.to)
      if (!drawn || !a || !b) continue
      // Bent to the right of its direction, so A->B and B->A do not overlap.
      const mx = (a.x + b.x) / 2
      const my = (a.y + b.y) / 2
      const dx = b.x - a.x
      const dy = b.y - a.y
      const bend = 0.12
      const cx = mx - dy * bend
      const cy = my + dx * bend
      drawn.path.setAttribute('d', `M${a.x.toFixed(1)} ${a.y.toFixed(1)} Q${cx.toFixed(1)} ${cy.toFixed(1)} ${b.x.toFixed(1)} ${b.y.toFixed(1)}`)
      // The curve's midpoint (t = 1/2), pushed a little further out so the label clears the line.
      attrs(drawn.label, { x: ((mx + cx) / 2 - dy * 0.06).toFixed(1), y: ((my + cy) / 2 + dx * 0.06).toFixed(1) })
    }
  }

  #syncNodes(peers: DashboardPeer[]): void {
    const seen = new Set<string>()
    for (const peer of peers) {
      seen.add(peer.id)
      let node = this.#nodes.get(peer.id)
      if (!node) {
        node = svg('g', { class: 'node', 'data-peer': peer.id })
        node.append(
          svg('circle', { class: 'halo', r: '27' }),
          svg('circle', { class: 'track', r: '20' }),
          svg('circle', { class: 'progress', r: '20', transform: 'rotate(-90)', 'stroke-dasharray': `0 ${RING}` }),
          svg('circle', { class: 'core', r: '13' }),
          svg('text', { class: 'label', y: '42', 'text-anchor': 'middle' }),
        )
        this.#nodeLayer.append(node)
        this.#nodes.set(peer.id, node)
      }
      const kind = peer.origin ? 'origin' : peer.complete ? 'seeder' : 'leecher'
      attrs(node, { 'data-kind': kind, 'data-completion': peer.completion.toFixed(3), 'data-up': String(peer.uploadRate), 'data-down': String(peer.downloadRate) })
      node.querySelector('.progress')!.setAttribute('stroke-dasharray', `${(peer.completion * RING).toFixed(1)} ${RING}`)
      node.querySelector('.core')!.setAttribute('r', (9 + 6 * peer.completion).toFixed(1))
      node.querySelector('.label')!.textContent = `${peer.id} · ${Math.floor(peer.completion * 100)}%`
    }
    for (const [id, node] of this.#nodes) {
      if (seen.has(id)) continue
      node.remove()
      this.#nodes.delete(id)
    }
  }

  #syncEdges(swarm: DashboardSwarm): void {
    const seen = new Set<string>()
    for (const edge of swarm.edges) {
      const key = `${edge.from}>${edge.to}`
      seen.add(key)
      let drawn = this.#edges.get(key)
      if (!drawn) {
        drawn = {
          path: svg('path', { class: 'edge', 'data-from': edge.from, 'data-to': edge.to }),
          label: svg('text', { class: 'edge-label', 'text-anchor': 'middle', 'dominant-baseline': 'middle' }),
        }
        this.#edgeLayer.append(drawn.path, drawn.label)
        this.#edges.set(key, drawn)
      }
      const { path } = drawn
      drawn.label.textContent = formatRate(edge.rate)
      path.dataset.rate = String(Math.round(edge.rate))
      // Width and dash speed grow with the logarithm of the rate: 10 KB/s and 100 MB/s both stay readable.
      const level = Math.max(0, Math.log10(Math.max(edge.rate, 1)) - 3) // 0 at 1 KB/s, 5 at 100 MB/s
      path.style.strokeWidth = (1.5 + level * 1.3).toFixed(2)
      path.style.animationDuration = `${Math.max(0.25, 2.4 - level * 0.42).toFixed(2)}s`
    }
    for (const [key, { path, label }] of this.#edges) {
      if (seen.has(key)) continue
      path.remove()
      label.remove()
      this.#edges.delete(key)
    }
  }
}

function row(peer: DashboardPeer): HTMLTableRowElement {
  const tr = document.createElement('tr')
  const role = peer.origin ? 'origin seeder' : peer.complete ? 'seeder' : 'downloading'
  for (const text of [peer.id, role, `${Math.floor(peer.completion * 100)}%`, formatRate(peer.downloadRate), formatRate(peer.uploadRate)]) {
    const td = document.createElement('td')
    td.textContent = text
    tr.append(td)
  }
  return tr
}

function figure(label: string, value: string, name: string): HTMLElement[] {
  const dt = el('dt', {})
  dt.textContent = label
  const dd = el('dd', { 'data-figure': name })
  dd.textContent = value
  return [dt, dd]
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string>): HTMLElementTagNameMap[K] {
  return attrs(document.createElement(tag), attributes)
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string>): SVGElementTagNameMap[K] {
  return attrs(document.createElementNS(SVG, tag), attributes)
}

function attrs<E extends Element>(element: E, attributes: Record<string, string>): E {
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value)
  return element
}
