/**
 * The widget's styles, inside its shadow root: the portal's CSS cannot reach in, these cannot
 * leak out. A portal themes it through the custom properties below (inherited through the
 * shadow boundary) and the parts: container, name, size, progress, bar, stats, status, error,
 * button, start, pause, save.
 */
export const WIDGET_CSS = `
:host {
  display: block;
  font: var(--shoal-font, 14px/1.4 system-ui, sans-serif);
  color: var(--shoal-color, #1d2330);
  max-width: var(--shoal-max-width, 36rem);
}
:host([hidden]) { display: none; }
.container {
  background: var(--shoal-background, #fff);
  border: var(--shoal-border, 1px solid #d5dae3);
  border-radius: var(--shoal-radius, 8px);
  padding: var(--shoal-padding, 0.75rem 1rem);
}
.file { display: flex; gap: 0.5rem; align-items: baseline; justify-content: space-between; }
.name { font-weight: 600; overflow-wrap: anywhere; margin: 0; font-size: 1em; }
.size { color: var(--shoal-muted, #5b6474); white-space: nowrap; }
.progress {
  height: var(--shoal-bar-height, 0.5rem);
  background: var(--shoal-track, #e7eaf0);
  border-radius: 999px;
  overflow: hidden;
  margin: 0.5rem 0;
}
.bar { height: 100%; width: 0; background: var(--shoal-accent, #2563eb); transition: width 0.3s; }
.stats { color: var(--shoal-muted, #5b6474); font-variant-numeric: tabular-nums; margin: 0; }
.status { margin: 0.25rem 0 0; }
.error { color: var(--shoal-error, #b42318); margin: 0.25rem 0 0; }
.error:empty { display: none; }
.actions { display: flex; gap: 0.5rem; margin-top: 0.5rem; }
button {
  font: inherit;
  padding: 0.3rem 0.9rem;
  border-radius: var(--shoal-radius, 8px);
  border: 1px solid var(--shoal-accent, #2563eb);
  background: var(--shoal-button-background, var(--shoal-accent, #2563eb));
  color: var(--shoal-button-color, #fff);
  cursor: pointer;
}
button[hidden] { display: none; }
button:disabled { opacity: 0.5; cursor: default; }
button:focus-visible { outline: 2px solid var(--shoal-focus, var(--shoal-accent, #2563eb)); outline-offset: 2px; }
`
