/**
 * Hands the finished file to the user, by the best path this browser offers, and never as one
 * ArrayBuffer of the whole file (files run to many GB):
 * 1. the File System Access API: a save picker, then the pieces written to the chosen file
 *    one at a time;
 * 2. else the service worker (web/sw.ts): a download of `/download/<id>`, which it streams out
 *    of IndexedDB;
 * 3. else (no service worker, e.g. plain http on a LAN address) a Blob of the per-piece Blobs
 *    behind an object URL: references to pieces on disk, not their bytes in the tab's memory.
 */
import type { ChunkStore } from '../core/chunk-store.ts'
import { ShoalError } from '../core/errors.ts'
import { IdbChunkStore } from './idb-store.ts'
import { serviceWorkerDownloadUrl } from './service-worker-client.ts'

/** The object URL must outlive the click: browsers start reading it asynchronously. */
const CLEAN_UP_AFTER_MS = 60_000

export type BlobChunkStore = ChunkStore & { readBlob?(piece: number): Promise<Blob> }

/** The one File System Access call used here; tsconfig's DOM lib does not declare it yet. */
type SaveFilePicker = (options: { suggestedName: string }) => Promise<FileSystemFileHandle>

/**
 * Saves the whole file as `name`. Stores without `readBlob` (e.g. the memory store) need
 * `pieceLength` to know how many bytes to read of each piece. Resolves without saving when
 * the user cancels the save picker.
 */
export async function saveFile(
  store: BlobChunkStore,
  name: string,
  pieceCount: number,
  pieceLength?: (piece: number) => number,
): Promise<void> {
  requireComplete(store, pieceCount)
  const { showSaveFilePicker } = window as Window & { showSaveFilePicker?: SaveFilePicker }
  if (showSaveFilePicker) {
    let handle: FileSystemFileHandle | undefined
    try {
      // Asked before anything is awaited: the picker needs the click's user activation.
      handle = await showSaveFilePicker.call(window, { suggestedName: name })
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') return
      // Refused for another reason (policy, a sandboxed frame): a download still works.
      console.warn(`shoal: the save picker failed, downloading instead (${describe(err)})`)
    }
    if (handle) return writeToFile(handle, store, name, pieceCount, pieceLength)
  }
  // Only the IndexedDB store's pieces are where the service worker reads them.
  const streamed = store instanceof IdbChunkStore ? serviceWorkerDownloadUrl(store.swarmId) : undefined
  if (streamed) return downloadInFrame(streamed)
  const url = URL.createObjectURL(await assembleFile(store, pieceCount, pieceLength))
  clickDownload(url, name)
  setTimeout(() => URL.revokeObjectURL(url), CLEAN_UP_AFTER_MS)
}

/** The whole file as one Blob, built from the pieces' Blobs without copying their bytes in JS. */
export async function assembleFile(
  store: BlobChunkStore,
  pieceCount: number,
  pieceLength?: (piece: number) => number,
): Promise<Blob> {
  requireComplete(store, pieceCount)
  const parts: Blob[] = []
  for (let piece = 0; piece < pieceCount; piece++) parts.push(await pieceBlob(store, piece, pieceLength))
  return new Blob(parts, { type: 'application/octet-stream' })
}

/** Writes piece by piece; the browser moves the file into place only on close, so a failure leaves nothing half-written. */
async function writeToFile(
  handle: FileSystemFileHandle,
  store: BlobChunkStore,
  name: string,
  pieceCount: number,
  pieceLength?: (piece: number) => number,
): Promise<void> {
  const writable = await handle.createWritable()
  try {
    for (let piece = 0; piece < pieceCount; piece++) await writable.write(await pieceBlob(store, piece, pieceLength))
    await writable.close()
  } catch (err) {
    await writable.abort(err).catch(() => {})
    if (err instanceof ShoalError) throw err
    throw new ShoalError('IO', `Could not write ${name} to disk: ${describe(err)}`, { cause: err })
  }
}

function requireComplete(store: BlobChunkStore, pieceCount: number): void {
  if (store.verified.count < pieceCount) {
    throw new ShoalError('NOT_FOUND', `the file is not complete yet (${store.verified.count} of ${pieceCount} pieces)`)
  }
}

async function pieceBlob(store: BlobChunkStore, piece: number, pieceLength?: (piece: number) => number): Promise<Blob> {
  if (store.readBlob) return store.readBlob(piece)
  if (!pieceLength) throw new ShoalError('BAD_INPUT', 'saving from this store needs the length of each piece')
  return new Blob([copy(await store.read(piece, 0, pieceLength(piece)))])
}

/**
 * Downloads what the service worker streams from `url`. Asked first (HEAD), so a refusal
 * (pieces gone from storage, storage failing) reaches the page as an error rather than a
 * hidden frame. Then a frame navigates there: Chromium does not route `<a download>` through the service
 * worker, and navigating the page itself would unload it (and its seeding) if the answer were
 * not a download after all.
 */
async function downloadInFrame(url: string): Promise<void> {
  const answer = await fetch(url, { method: 'HEAD' })
  // Read to its (empty) end: Chromium reports a response left unread as an aborted request.
  await answer.arrayBuffer()
  if (!answer.ok) {
    // The page saw every piece stored, so the worker finding less means storage changed under it.
    throw new ShoalError('IO', `Could not read the file back from browser storage (HTTP ${answer.status} from the service worker): reload the page, then save again.`)
  }
  downloadFrame ??= document.body.appendChild(Object.assign(document.createElement('iframe'), { hidden: true }))
  downloadFrame.src = url
}

/**
 * One hidden frame per page, kept: a download the service worker streams is cancelled if the
 * frame that started it goes away, and a many-GB file takes minutes.
 */
let downloadFrame: HTMLIFrameElement | undefined

function clickDownload(href: string, name: string): void {
  const link = document.createElement('a')
  link.href = href
  link.download = name
  link.rel = 'noopener'
  link.style.display = 'none'
  document.body.append(link)
  try {
    link.click()
  } finally {
    link.remove()
  }
}

function copy(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : new Uint8Array(data)
}

function describe(err: unknown): string {
  return err instanceof Error || err instanceof DOMException ? err.message : String(err)
}
