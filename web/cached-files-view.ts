/**
 * "Files kept in this browser": every swarm this origin stores, with its size, whether a tab
 * is seeding it, and a Remove button. Names come from manifests (network input), so they only
 * ever go in through textContent.
 */
import { formatBytes } from '../core/format.ts'
import { type CachedSwarm, listCachedSwarms, removeCachedSwarm } from './cached-swarms.ts'

export interface CachedFilesView {
  refresh(): Promise<void>
}

export function mountCachedFiles(parent: HTMLElement): CachedFilesView {
  const doc = parent.ownerDocument
  const section = doc.createElement('section')
  section.className = 'shoal-card shoal-cache'
  section.setAttribute('aria-labelledby', 'shoal-cache-title')
  const title = doc.createElement('h2')
  title.id = 'shoal-cache-title'
  title.textContent = 'Files kept in this browser'
  const list = doc.createElement('ul')
  list.className = 'shoal-cache-list'
  const alert = doc.createElement('p')
  alert.className = 'shoal-error'
  alert.setAttribute('role', 'alert')
  section.append(title, list, alert)
  parent.append(section)

  const refresh = async () => {
    try {
      render(await listCachedSwarms())
    } catch (err) {
      alert.textContent = err instanceof Error ? err.message : String(err)
    }
  }

  const render = (swarms: CachedSwarm[]) => {
    list.replaceChildren(...swarms.map(item))
    if (swarms.length === 0) {
      const empty = doc.createElement('li')
      empty.textContent = 'Nothing yet.'
      list.append(empty)
    }
  }

  const item = (swarm: CachedSwarm): HTMLLIElement => {
    const li = doc.createElement('li')
    li.className = 'shoal-cache-item'
    const name = doc.createElement('span')
    name.className = 'shoal-cache-name'
    name.textContent = swarm.name
    const detail = doc.createElement('span')
    detail.className = 'shoal-cache-detail'
    const stored = swarm.complete ? formatBytes(swarm.size) : `${formatBytes(swarm.storedBytes)} of ${formatBytes(swarm.size)}`
    detail.textContent = `${stored} · ${swarm.inUse ? 'seeding in a tab' : swarm.complete ? 'complete, not seeding' : 'partial'}`
    const remove = doc.createElement('button')
    remove.type = 'button'
    remove.textContent = 'Remove'
    remove.setAttribute('aria-label', `Remove ${swarm.name}`)
    remove.disabled = swarm.inUse
    if (swarm.inUse) remove.title = 'Open in a tab: close it first'
    remove.addEventListener('click', async () => {
      remove.disabled = true
      alert.textContent = ''
      try {
        await removeCachedSwarm(swarm.swarmId)
      } catch (err) {
        alert.textContent = err instanceof Error ? err.message : String(err)
      }
      await refresh()
    })
    li.append(name, detail, remove)
    return li
  }

  void refresh()
  return { refresh }
}
