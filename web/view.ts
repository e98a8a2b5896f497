/**
 * The download page's view: renders a ViewState and reports the Save click. It owns no
 * logic beyond presentation, so the swarm engine can drive it and tests can drive it alone.
 * Text from the network (the file name, error messages) only ever goes in through
 * textContent, never as HTML.
 */
import { formatBytes, formatPeers, formatRate, percentDone } from '../core/format.ts'

export type ViewStatus = 'connecting' | 'downloading' | 'seeding' | 'error'

export interface ViewState {
  name?: string
  size?: number
  verifiedBytes: number
  totalBytes: number
  /** Bytes per second. */
  downloadRate: number
  /** Bytes per second. */
  uploadRate: number
  peers: number
  status: ViewStatus
  error?: string
}

export interface View {
  update(state: ViewState): void
  onSave(handler: () => void): void
}

export function createView(root: HTMLElement): View {
  const doc = root.ownerDocument
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className: string, parent: HTMLElement): HTMLElementTagNameMap[K] => {
    const node = doc.createElement(tag)
    node.className = className
    parent.append(node)
    return node
  }

  root.replaceChildren()
  const card = el('main', 'shoal-card', root)
  const header = el('header', 'shoal-file', card)
  const name = el('h1', 'shoal-name', header)
  const size = el('p', 'shoal-size', header)

  const bar = el('div', 'shoal-progress', card)
  bar.setAttribute('role', 'progressbar')
  bar.setAttribute('aria-label', 'Download progress')
  bar.setAttribute('aria-valuemin', '0')
  bar.setAttribute('aria-valuemax', '100')
  const fill = el('div', 'shoal-progress-fill', bar)

  const stats = el('dl', 'shoal-stats', card)
  const stat = (label: string): HTMLElement => {
    const group = el('div', 'shoal-stat', stats)
    el('dt', '', group).textContent = label
    return el('dd', '', group)
  }
  const done = stat('Done')
  const down = stat('Download')
  const up = stat('Upload')
  const peers = stat('Peers')

  const status = el('p', 'shoal-status', card)
  status.setAttribute('role', 'status')
  status.setAttribute('aria-live', 'polite')

  // Always in the DOM (hidden by CSS while empty) so the alert region exists before its text.
  const alert = el('p', 'shoal-error', card)
  alert.setAttribute('role', 'alert')

  const save = el('button', 'shoal-save', card)
  save.type = 'button'
  save.textContent = 'Save'
  save.disabled = true

  const handlers: (() => void)[] = []
  save.addEventListener('click', () => {
    if (save.disabled) return
    for (const handler of handlers) handler()
  })

  let lastStatus = ''
  return {
    update(state) {
      name.textContent = state.name ?? 'Looking up the file…'
      size.textContent = state.size === undefined ? '' : formatBytes(state.size)

      const percent = state.status === 'seeding' ? 100 : percentDone(state.verifiedBytes, state.totalBytes)
      bar.setAttribute('aria-valuenow', String(percent))
      bar.setAttribute('aria-valuetext', `${percent}%`)
      fill.style.width = `${percent}%`
      card.dataset.status = state.status

      done.textContent = state.totalBytes > 0
        ? `${percent}% · ${formatBytes(state.verifiedBytes)} of ${formatBytes(state.totalBytes)}`
        : '—'
      down.textContent = formatRate(state.downloadRate)
      up.textContent = formatRate(state.uploadRate)
      peers.textContent = String(Math.max(0, state.peers))

      // Only rewrite the live region when its text changes, or it is re-announced every tick.
      const text = statusText(state)
      if (text !== lastStatus) {
        status.textContent = text
        lastStatus = text
      }
      const error = state.status === 'error' ? (state.error ?? 'Something went wrong.') : (state.error ?? '')
      if (alert.textContent !== error) alert.textContent = error

      save.disabled = state.status !== 'seeding'
    },
    onSave(handler) {
      handlers.push(handler)
    },
  }
}

function statusText(state: ViewState): string {
  switch (state.status) {
    case 'connecting':
      return 'Connecting to the swarm…'
    case 'downloading':
      return `Downloading from ${formatPeers(state.peers)}`
    case 'seeding':
      return `Complete. Sharing with ${formatPeers(state.peers)}; keep this tab open to help others.`
    case 'error':
      return 'Stopped'
  }
}
