/**
 * `<shoal-download link="…">`: a file from a Shoal swarm, embedded in any page. It shows the
 * file, progress, speed, peers and how much came from other peers rather than seeds; offers
 * Save; and seeds while the page is open. Events (bubbling, composed CustomEvents):
 * `shoal-progress` (detail: WidgetStats), `shoal-complete` (detail: WidgetStats) and
 * `shoal-error` (detail: { code, message }). Methods: start(), pause(), stats(), save().
 * Text from the network only ever goes in through textContent.
 */
import { type ShoalError } from '../../core/errors.ts'
import { formatBytes, formatPeers, formatRate } from '../../core/format.ts'
import { alertRegion, button, el, type ProgressBar, progressBar, setText, statusRegion } from '../dom.ts'
import { WIDGET_CSS } from './widget-style.ts'
import { asShoalError, WidgetDownload, type WidgetStats } from './widget-download.ts'
import { widgetSource } from './widget-source.ts'

export const WIDGET_TAG = 'shoal-download'
/** How often speeds are redrawn between pieces (they decay when nothing arrives). */
const REFRESH_MS = 1_000

export interface ShoalErrorDetail {
  code: string
  message: string
}

export class ShoalDownloadElement extends HTMLElement {
  #download: WidgetDownload | undefined
  /** A wrong attribute: nothing can start until the element is set up again. */
  #failed: ShoalError | undefined
  /** The last error's message, shown until the next start(). */
  #message: string | undefined
  #ui: WidgetUi | undefined
  #timer: ReturnType<typeof setInterval> | undefined

  connectedCallback(): void {
    this.#ui ??= buildUi(this.attachShadow({ mode: 'open' }), {
      start: () => void this.start().catch(() => {}),
      pause: () => this.pause(),
      save: () => void this.save().catch(() => {}),
    })
    if (this.#download || this.#failed) return
    try {
      this.#download = new WidgetDownload(widgetSource((name) => this.getAttribute(name)))
    } catch (err) {
      this.#failed = asShoalError(err)
      this.#error(this.#failed)
      return
    }
    this.#timer = setInterval(() => this.#render(), REFRESH_MS)
    // Leave politely, so peers drop this page at once instead of waiting for a timeout.
    addEventListener('pagehide', () => void this.#download?.close(), { once: true })
    const download = this.#download
    download.on('progress', () => this.#progress())
    download.on('complete', () => this.#dispatch('shoal-complete', this.stats()))
    download.on('error', (error) => this.#error(error))
    this.#render()
    void download
      .prepare()
      .then(() => (this.hasAttribute('autostart') ? download.start() : undefined))
      .catch(() => {}) // Reported through the error event.
  }

  disconnectedCallback(): void {
    // Moving the element in the DOM disconnects and reconnects it at once: only a removal ends it.
    queueMicrotask(() => {
      if (this.isConnected) return
      clearInterval(this.#timer)
      void this.#download?.close()
      this.#download = undefined
    })
  }

  /** Starts or resumes the download. Rejects with the ShoalError also sent as `shoal-error`. */
  async start(): Promise<void> {
    if (this.#failed) throw this.#failed
    this.#message = undefined
    await this.#download?.start()
  }

  pause(): void {
    this.#download?.pause()
  }

  stats(): WidgetStats | undefined {
    return this.#download?.stats()
  }

  /** Saves the finished file (a save picker where the browser has one, else a download). */
  async save(): Promise<void> {
    try {
      await this.#download?.save()
    } catch (err) {
      this.#error(asShoalError(err))
      throw err
    }
  }

  #progress(): void {
    this.#render()
    const stats = this.stats()
    if (stats && stats.state !== 'connecting' && stats.state !== 'idle' && stats.state !== 'error') this.#dispatch('shoal-progress', stats)
  }

  #error(error: ShoalError): void {
    this.#message = error.message
    this.#render()
    this.#dispatch('shoal-error', { code: error.code, message: error.message } satisfies ShoalErrorDetail)
  }

  #dispatch(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }))
  }

  #render(): void {
    const ui = this.#ui
    if (!ui) return
    const s = this.stats()
    const error = this.#message
    const state = s?.state ?? 'error'
    ui.container.dataset.state = state
    ui.name.textContent = s?.name ?? (error ? 'Unavailable' : 'Looking up the file…')
    ui.size.textContent = s?.size === undefined ? '' : formatBytes(s.size)
    ui.container.setAttribute('aria-label', `Download: ${s?.name ?? 'file'}`)
    const percent = s ? Math.floor((s.complete ? 1 : s.progress) * 100) : 0
    ui.progress.show(percent)
    ui.stats.textContent = s?.size
      ? `${percent}% · ${formatRate(s.downloadRate)} down · ${formatRate(s.uploadRate)} up · ${formatPeers(s.peers)} · ${Math.round(s.peerShare * 100)}% from peers`
      : ''
    // Called for every piece: setText keeps the live regions from being announced again each time.
    setText(ui.status, statusText(state, s))
    setText(ui.error, error ?? '')
    ui.start.hidden = !(state === 'idle' || state === 'paused')
    ui.start.textContent = state === 'paused' ? 'Resume' : 'Download'
    ui.pause.hidden = state !== 'downloading'
    ui.save.disabled = !s?.complete
  }
}

function statusText(state: string, s: WidgetStats | undefined): string {
  switch (state) {
    case 'connecting':
      return 'Connecting…'
    case 'idle':
      return 'Ready to download.'
    case 'waiting':
      return 'Another tab or widget on this site is downloading this file; this one takes over when it closes.'
    case 'paused':
      return 'Paused.'
    case 'downloading':
      return 'Downloading…'
    case 'seeding':
      return `Complete. Sharing with ${formatPeers(s?.peers ?? 0)} while this page is open.`
    default:
      return 'Stopped'
  }
}

interface WidgetUi {
  container: HTMLElement
  name: HTMLElement
  size: HTMLElement
  progress: ProgressBar
  stats: HTMLElement
  status: HTMLElement
  error: HTMLElement
  start: HTMLButtonElement
  pause: HTMLButtonElement
  save: HTMLButtonElement
}

function buildUi(root: ShadowRoot, actions: { start(): void; pause(): void; save(): void }): WidgetUi {
  const style = document.createElement('style')
  style.textContent = WIDGET_CSS
  root.replaceChildren(style)
  const container = part(el('section', 'container', root))
  container.setAttribute('role', 'group')
  const file = el('div', 'file', container)
  const name = part(el('p', 'name', file))
  const size = part(el('span', 'size', file))
  const progress = progressBar(container, 'Download progress', { track: 'progress', fill: 'bar' })
  part(progress.element)
  part(progress.fill)
  const stats = part(el('p', 'stats', container))
  const status = part(statusRegion(container, 'status'))
  const error = part(alertRegion(container, 'error'))
  const row = el('div', 'actions', container)
  const action = (label: string, name: string, onClick: () => void): HTMLButtonElement => {
    const node = part(button(row, name, label), `button ${name}`)
    node.addEventListener('click', onClick)
    return node
  }
  const start = action('Download', 'start', actions.start)
  const pause = action('Pause', 'pause', actions.pause)
  const save = action('Save', 'save', actions.save)
  return { container, name, size, progress, stats, status, error, start, pause, save }
}

/** Exposes `node` to the host page's CSS as ::part(`name`), by default its class: the shadow root hides it otherwise. */
function part<T extends Element>(node: T, name = node.className): T {
  node.setAttribute('part', name)
  return node
}
