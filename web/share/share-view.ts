/**
 * The share page's view: a file picker and drop zone, hashing progress, then the share link
 * and seeding stats. Presentation only (plus copying the link); the page decides what a pick
 * means. Text from the file (its name) and errors only go in through textContent.
 */
import { formatBytes, formatPeers, formatRate, percentDone } from '../../core/format.ts'
import { alertRegion, button, el, progressBar, setText, stat, statusRegion } from '../dom.ts'

export interface SharedFileInfo {
  name: string
  size: number
}

export type ShareViewState =
  | { phase: 'idle' }
  | { phase: 'hashing'; file: SharedFileInfo; hashedBytes: number }
  | { phase: 'publishing'; file: SharedFileInfo }
  | { phase: 'seeding'; file: SharedFileInfo; link: string; peers: number; uploadRate: number; uploadedBytes: number }
  | { phase: 'error'; file?: SharedFileInfo; error: string }

export interface ShareView {
  update(state: ShareViewState): void
  /** The user chose files with the picker or dropped them; ignored by the view while it is not offering a pick. */
  onPick(handler: (files: File[]) => void): void
}

/** How long the Copy button says "Copied". */
const COPIED_MS = 2000

export function createShareView(root: HTMLElement): ShareView {
  const doc = root.ownerDocument
  root.replaceChildren()
  const card = el('main', 'shoal-card shoal-share', root)
  const header = el('header', 'shoal-file', card)
  const title = el('h1', 'shoal-name', header)
  const size = el('p', 'shoal-size', header)

  const drop = el('div', 'shoal-drop', card)
  // The input sits inside its label: the label is the visible button and names the input.
  const choose = el('label', 'shoal-button', drop)
  choose.append('Choose a file')
  const input = el('input', 'shoal-visually-hidden', choose)
  input.type = 'file'
  el('span', '', drop).textContent = 'or drop it on this page'

  const bar = progressBar(card, 'Hashing progress', { track: 'shoal-progress', fill: 'shoal-progress-fill' })

  const share = el('div', 'shoal-link', card)
  const linkLabel = el('label', 'shoal-link-label', share)
  el('span', '', linkLabel).textContent = 'Share link'
  const linkField = el('input', 'shoal-link-field', linkLabel)
  linkField.readOnly = true
  const copy = button(share, 'shoal-button', 'Copy')
  const open = el('a', 'shoal-link-open', share)
  open.target = '_blank'
  open.rel = 'noopener'
  open.textContent = 'Open the download page'

  const stats = el('dl', 'shoal-stats', card)
  const peers = stat(stats, 'Peers')
  const up = stat(stats, 'Upload')
  const uploaded = stat(stats, 'Uploaded')

  const status = statusRegion(card, 'shoal-status')
  const alert = alertRegion(card, 'shoal-error')
  el('p', 'shoal-hint', card).textContent = 'Open a share link (…/s/<id>) to download a file.'

  const handlers: ((files: File[]) => void)[] = []
  const pick = (files: File[]) => {
    if (input.disabled || drop.hidden) return
    for (const handler of handlers) handler(files)
  }
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])]
    // Cleared so that picking the same file again (after an error) is a change too.
    input.value = ''
    pick(files)
  })

  // The whole page takes a dropped file: a drop that missed a smaller zone would make the
  // browser open the file instead, leaving the page and ending any seeding.
  doc.addEventListener('dragover', (event) => {
    event.preventDefault()
    const accepting = !input.disabled && !drop.hidden
    if (event.dataTransfer) event.dataTransfer.dropEffect = accepting ? 'copy' : 'none'
    drop.classList.toggle('shoal-drop-over', accepting)
  })
  doc.addEventListener('dragleave', (event) => {
    // No related target: the drag left the window.
    if (!event.relatedTarget) drop.classList.remove('shoal-drop-over')
  })
  doc.addEventListener('drop', (event) => {
    event.preventDefault()
    drop.classList.remove('shoal-drop-over')
    pick([...(event.dataTransfer?.files ?? [])])
  })

  let copiedTimer: ReturnType<typeof setTimeout> | undefined
  copy.addEventListener('click', () => {
    navigator.clipboard.writeText(linkField.value).then(
      () => {
        copy.textContent = 'Copied'
        clearTimeout(copiedTimer)
        copiedTimer = setTimeout(() => (copy.textContent = 'Copy'), COPIED_MS)
      },
      // No clipboard permission: select the link so copying it by hand is one keystroke.
      () => linkField.select(),
    )
  })

  return {
    update(state) {
      card.dataset.phase = state.phase
      const file = state.phase === 'idle' ? undefined : state.file
      title.textContent = file?.name ?? 'Share a file'
      size.textContent = file ? formatBytes(file.size) : 'Pick a file: this tab sends it to whoever opens its link.'

      drop.hidden = state.phase === 'seeding'
      input.disabled = state.phase === 'hashing' || state.phase === 'publishing'

      bar.element.hidden = state.phase !== 'hashing' && state.phase !== 'publishing'
      bar.show(state.phase === 'hashing' ? percentDone(state.hashedBytes, state.file.size) : 100)

      share.hidden = stats.hidden = state.phase !== 'seeding'
      if (state.phase === 'seeding') {
        if (linkField.value !== state.link) {
          linkField.value = state.link
          open.href = state.link
        }
        peers.textContent = String(Math.max(0, state.peers))
        up.textContent = formatRate(state.uploadRate)
        uploaded.textContent = formatBytes(state.uploadedBytes)
      }

      // Called every tick: setText keeps the live regions from being announced again each time.
      setText(status, statusText(state))
      setText(alert, state.phase === 'error' ? state.error : '')
    },
    onPick(handler) {
      handlers.push(handler)
    },
  }
}

function statusText(state: ShareViewState): string {
  switch (state.phase) {
    case 'idle':
    case 'error':
      return ''
    case 'hashing':
      return 'Hashing the file…'
    case 'publishing':
      return 'Publishing it to the tracker…'
    case 'seeding':
      return `Sharing with ${formatPeers(state.peers)}. Keep this tab open: closing it stops sharing.`
  }
}
