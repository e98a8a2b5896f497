/**
 * The app's service worker, built to `/sw.js`. Its one job: answer `GET /download/<id>` (and HEAD) with
 * a file streamed out of IndexedDB (web/download-response.ts), so a browser without the File
 * System Access API can still save a file of many GB as an ordinary download. Every other
 * request goes to the network untouched.
 */
import { downloadSwarmId } from './download-route.ts'
import { downloadResponse } from './download-response.ts'

// tsconfig's lib is DOM, whose globals clash with the WebWorker lib's, so this file declares
// the few service worker types it uses.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request
  respondWith(response: Promise<Response>): void
}
interface ServiceWorkerScope {
  readonly registration: { readonly scope: string }
  readonly clients: { claim(): Promise<void> }
  skipWaiting(): Promise<void>
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void
}

const worker = globalThis as unknown as ServiceWorkerScope

// Take over at once, on the very first visit: the page that registered this worker is the one
// whose Save button needs it, and an older worker has nothing worth finishing.
worker.addEventListener('install', (event) => event.waitUntil(worker.skipWaiting()))
worker.addEventListener('activate', (event) => event.waitUntil(worker.clients.claim()))

worker.addEventListener('fetch', (event) => {
  const { method, url } = event.request
  if (method !== 'GET' && method !== 'HEAD') return
  const swarmId = downloadSwarmId(worker.registration.scope, url)
  if (swarmId) event.respondWith(downloadResponse(swarmId, method))
})
