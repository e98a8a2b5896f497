/** Entry of the browser app. The shims must load before anything that pulls in simple-peer. */
import './shims.ts'
import './style.css'
import { startApp } from './app.ts'
import { createView } from './view.ts'

const root = document.getElementById('app')
if (!root) throw new Error('index.html has no #app element')

void startApp(createView(root), window.location)
