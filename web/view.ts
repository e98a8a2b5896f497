/**
 * The download page's view: renders a ViewState and reports the Save click. It owns no
 * logic beyond presentation, so the swarm engine can drive it and tests can drive it alone.
 * Text from the network (the file name, error messages) only ever goes in through
 * textContent, never as HTML.
 */
import { formatBytes, formatPeers, formatRate, percentDone } from '../core/format.ts'
import { alertRegion, button, el, progressBar, setText, stat, statusRegion } from './dom.ts'

/**
 * waiting: another tab of this browser drives the swarm; paused: storage is full, nothing is
 * fetched until Resume (what is stored stays and is served).
 */
export type ViewStatus = 'connecting' | 'waiting' | 'downloading' | 'paused' | 'seeding' | 'error'

export interface StorageLine {
  usage: number
  quota: number
  /** Bytes of this file not stored yet. */
  needed: number
  persisted: boolean
}

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
  storage?: StorageLine
}

export interface View {
  update(state: ViewState): void
  onSave(handler: () => void): void
  onResume(handler: () => void): void
}

export function createView(root: HTMLElement): View {
  root.replaceChildren()
  const card = el('main', 'shoal-card', root)
  const header = el('header', 'shoal-file', card)
  const name = el('h1', 'shoal-name', header)
  const size = el('p', 'shoal-size', header)

  const bar = progressBar(card, 'Download progress', { track: 'shoal-progress', fill: 'shoal-progress-fill' })

  const stats = el('dl', 'shoal-stats', card)
  const done = stat(stats, 'Done')
  const down = stat(stats, 'Download')
  const up = stat(stats, 'Upload')
  const peers = stat(stats, 'Peers')

  const status = statusRegion(card, 'shoal-status')
  const alert = alertRegion(card, 'shoal-error')

  const storage = el('p', 'shoal-storage', card)

  const actions = el('div', 'shoal-actions', card)
  const action = (label: string, className: string): { element: HTMLButtonElement; handlers: (() => void)[] } => {
    const element = button(actions, className, label)
    element.disabled = true
    const handlers: (() => void)[] = []
    element.addEventListener('click', () => {
      if (element.disabled) return
      for (const handler of handlers) handler()
    })
    return { element, handlers }
  }
  const save = action('Save', 'shoal-save')
  const resume = action('Resume', 'shoal-resume')

  return {
    update(state) {
      name.textContent = state.name ?? 'Looking up the file…'
      size.textContent = state.size === undefined ? '' : formatBytes(state.size)

      const percent = state.status === 'seeding' ? 100 : percentDone(state.verifiedBytes, state.totalBytes)
      bar.show(percent)
      card.dataset.status = state.status

      done.textContent = state.totalBytes > 0
        ? `${percent}% · ${formatBytes(state.verifiedBytes)} of ${formatBytes(state.totalBytes)}`
        : '—'
      down.textContent = formatRate(state.downloadRate)
      up.textContent = formatRate(state.uploadRate)
      peers.textContent = String(Math.max(0, state.peers))

      // Called every tick: setText keeps the live regions from being announced again each time.
      setText(status, statusText(state))
      setText(alert, state.status === 'error' ? (state.error ?? 'Something went wrong.') : (state.error ?? ''))

      storage.textContent = state.storage ? storageText(state.storage) : ''

      save.element.disabled = state.status !== 'seeding'
      resume.element.disabled = state.status !== 'paused'
      resume.element.hidden = state.status !== 'paused'
    },
    onSave(handler) {
      save.handlers.push(handler)
    },
    onResume(handler) {
      resume.handlers.push(handler)
    },
  }
}

function statusText(state: ViewState): string {
  switch (state.status) {
    case 'connecting':
      return 'Connecting to the swarm…'
    case 'waiting':
      return 'This file is open in another tab of this browser, which is downloading it; this tab takes over when that one closes.'
    case 'paused':
      return 'Paused: browser storage is full. Pieces already stored are kept; free space, then Resume.'
    case 'downloading':
      return `Downloading from ${formatPeers(state.peers)}`
    case 'seeding':
      return `Complete. Sharing with ${formatPeers(state.peers)}; keep this tab open to help others.`
    case 'error':
      return 'Stopped'
  }
}

function storageText({ usage, quota, needed, persisted }: StorageLine): string {
  const free = Math.max(0, quota - usage)
  const room = needed > free ? ` Not enough room: ${formatBytes(needed - free)} short.` : ''
  return `Browser storage: ${formatBytes(usage)} used of ${formatBytes(quota)}; this file needs ${formatBytes(needed)} more.${room}${persisted ? '' : ' (The browser may clear it under storage pressure.)'}`
}
