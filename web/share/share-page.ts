/** The share page (`/`): pick or drop a file, publish it, seed it from this tab. */
export async function startSharePage(root: HTMLElement, _location: Location): Promise<void> {
  root.textContent = 'Open a share link (…/s/<id>) to download a file.'
}
