/**
 * Entry of the embeddable widget, built as one self-contained module at /widget.js (see
 * vite.config.ts): `<script type="module" src="https://<tracker>/widget.js">`, then
 * `<shoal-download link="…">`. The shims must load before anything that pulls in simple-peer.
 */
import './shims.ts'
import { ShoalDownloadElement, WIDGET_TAG } from './widget/shoal-download.ts'

// A page that loads the script twice (or two versions) keeps the first definition.
if (!customElements.get(WIDGET_TAG)) customElements.define(WIDGET_TAG, ShoalDownloadElement)

declare global {
  interface HTMLElementTagNameMap {
    [WIDGET_TAG]: ShoalDownloadElement
  }
}
