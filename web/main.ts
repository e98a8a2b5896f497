/** Entry of the browser app. The shims must load before anything that pulls in simple-peer. */
import './shims.ts'
import './style.css'
import { startDownloadPage, swarmIdFromPath } from './download-page.ts'
import { registerServiceWorker } from './service-worker-client.ts'
import { startSharePage } from './share/share-page.ts'
import { createView } from './view.ts'

const root = document.getElementById('app')
if (!root) throw new Error('index.html has no #app element')
registerServiceWorker()

// A share link (`/s/<id>`) downloads; any other page offers to share a file from this browser.
if (swarmIdFromPath(window.location.pathname)) void startDownloadPage(createView(root), window.location, root)
else void startSharePage(root, window.location)
