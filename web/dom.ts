/**
 * The DOM pieces the download page, the share page and the widget build from: elements
 * appended as they are made, buttons, a progress bar, stat groups and live regions. Elements
 * are made by the parent's own document, so the same code builds into a page or a shadow root
 * (the widget). Text only ever goes in through textContent: nothing here parses HTML.
 */

/** A new `tag` element with `className`, appended to `parent`. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, parent: Node & ParentNode): HTMLElementTagNameMap[K] {
  // A Document is its own document (its ownerDocument is null).
  const node = (parent.ownerDocument ?? (parent as Document)).createElement(tag)
  node.className = className
  parent.append(node)
  return node
}

/** `type="button"`: a plain button, never a form's submit. */
export function button(parent: Node & ParentNode, className: string, label: string): HTMLButtonElement {
  const node = el('button', className, parent)
  node.type = 'button'
  node.textContent = label
  return node
}

export interface ProgressBar {
  /** The track, which carries the progressbar role and its values. */
  element: HTMLDivElement
  /** Inside the track; its width is the percentage done. */
  fill: HTMLDivElement
  show(percent: number): void
}

/** A 0-100 progress bar named `label` for assistive technology. */
export function progressBar(parent: Node & ParentNode, label: string, classNames: { track: string; fill: string }): ProgressBar {
  const element = el('div', classNames.track, parent)
  element.setAttribute('role', 'progressbar')
  element.setAttribute('aria-label', label)
  element.setAttribute('aria-valuemin', '0')
  element.setAttribute('aria-valuemax', '100')
  const fill = el('div', classNames.fill, element)
  return {
    element,
    fill,
    show(percent) {
      element.setAttribute('aria-valuenow', String(percent))
      element.setAttribute('aria-valuetext', `${percent}%`)
      fill.style.width = `${percent}%`
    },
  }
}

/** Adds a labelled value to `list` (a `<dl>`) as a `shoal-stat` group; returns the value to write into. */
export function stat(list: HTMLElement, label: string): HTMLElement {
  const group = el('div', 'shoal-stat', list)
  el('dt', '', group).textContent = label
  return el('dd', '', group)
}

/** A line that screen readers read out, without interrupting, when it changes (see setText). */
export function statusRegion(parent: Node & ParentNode, className: string): HTMLParagraphElement {
  const node = el('p', className, parent)
  node.setAttribute('role', 'status')
  node.setAttribute('aria-live', 'polite')
  return node
}

/**
 * A line that screen readers read out at once. Made with the rest of the UI, even while it has
 * no text, because assistive technology only watches an alert region it already knows.
 */
export function alertRegion(parent: Node & ParentNode, className: string): HTMLParagraphElement {
  const node = el('p', className, parent)
  node.setAttribute('role', 'alert')
  return node
}

/** Writes `text` only when it differs: rewriting a live region announces it again, same words or not. */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text
}
