/**
 * A small force-directed layout: nodes repel each other, links pull their ends together, and a
 * weak pull to the centre keeps the graph on screen. Positions persist by node id across
 * snapshots, so a graph updated every second moves smoothly instead of jumping. Hand-rolled
 * (a few dozen nodes per swarm) rather than a dependency: O(n^2) repulsion is cheap at this size.
 */

export interface LayoutNode {
  id: string
  x: number
  y: number
  vx: number
  vy: number
}

export interface LayoutOptions {
  width: number
  height: number
  /** Preferred link length, in px. */
  linkLength?: number
  /** Repulsion strength. */
  charge?: number
}

const LINK_LENGTH = 170
const CHARGE = 9000
const DAMPING = 0.82
const CENTRE_PULL = 0.012
const COOLING = 0.985
const MIN_ALPHA = 0.02

export class ForceLayout {
  readonly #nodes = new Map<string, LayoutNode>()
  #links: [string, string][] = []
  #alpha = 1
  #options: Required<LayoutOptions>

  constructor(options: LayoutOptions) {
    this.#options = { linkLength: LINK_LENGTH, charge: CHARGE, ...options }
  }

  get nodes(): ReadonlyMap<string, LayoutNode> {
    return this.#nodes
  }

  /** Keeps known nodes where they are, places new ones near a linked neighbour (or the centre). */
  update(ids: readonly string[], links: readonly (readonly [string, string])[]): void {
    const wanted = new Set(ids)
    let changed = false
    for (const id of [...this.#nodes.keys()]) if (!wanted.has(id)) changed = this.#nodes.delete(id)
    const { width, height } = this.#options
    ids.forEach((id, index) => {
      if (this.#nodes.has(id)) return
      changed = true
      const neighbour = links.find(([a, b]) => (a === id && this.#nodes.has(b)) || (b === id && this.#nodes.has(a)))
      const anchor = neighbour && this.#nodes.get(neighbour[0] === id ? neighbour[1] : neighbour[0])
      // The golden angle spreads newcomers evenly; the random part keeps three of them off one line.
      const angle = index * 2.399963 + Math.random()
      const radius = anchor ? 40 : Math.min(width, height) * 0.25
      this.#nodes.set(id, {
        id,
        x: (anchor?.x ?? width / 2) + radius * Math.cos(angle),
        y: (anchor?.y ?? height / 2) + radius * Math.sin(angle),
        vx: 0,
        vy: 0,
      })
    })
    this.#links = links.filter(([a, b]) => wanted.has(a) && wanted.has(b) && a !== b).map(([a, b]) => [a, b])
    if (changed) this.#alpha = 1
    else this.#alpha = Math.max(this.#alpha, 0.3)
  }

  resize(width: number, height: number): void {
    this.#options = { ...this.#options, width, height }
    this.#alpha = Math.max(this.#alpha, 0.5)
  }

  /** One step of the simulation; false once it has settled. */
  tick(): boolean {
    if (this.#alpha < MIN_ALPHA) return false
    const nodes = [...this.#nodes.values()]
    const { width, height, linkLength, charge } = this.#options
    const alpha = this.#alpha
    for (let i = 0; i < nodes.length; i++) {
      const a = nodes[i]!
      for (let j = i + 1; j < nodes.length; j++) {
        const b = nodes[j]!
        let dx = b.x - a.x
        let dy = b.y - a.y
        let d2 = dx * dx + dy * dy
        if (d2 < 1) {
          dx = Math.random() - 0.5
          dy = Math.random() - 0.5
          d2 = 1
        }
        const force = (charge * alpha) / d2
        const d = Math.sqrt(d2)
        a.vx -= (dx / d) * force
        a.vy -= (dy / d) * force
        b.vx += (dx / d) * force
        b.vy += (dy / d) * force
      }
    }
    for (const [from, to] of this.#links) {
      const a = this.#nodes.get(from)!
      const b = this.#nodes.get(to)!
      const dx = b.x - a.x
      const dy = b.y - a.y
      const d = Math.sqrt(dx * dx + dy * dy) || 1
      const pull = ((d - linkLength) / d) * 0.04 * alpha
      a.vx += dx * pull
      a.vy += dy * pull
      b.vx -= dx * pull
      b.vy -= dy * pull
    }
    const margin = 36
    for (const n of nodes) {
      n.vx += (width / 2 - n.x) * CENTRE_PULL * alpha
      n.vy += (height / 2 - n.y) * CENTRE_PULL * alpha
      n.vx *= DAMPING
      n.vy *= DAMPING
      n.x = Math.min(width - margin, Math.max(margin, n.x + n.vx))
      n.y = Math.min(height - margin, Math.max(margin, n.y + n.vy))
    }
    this.#alpha *= COOLING
    return true
  }
}
