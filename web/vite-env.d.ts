// Vite's client types: lets web/ import CSS and assets the way Vite bundles them.
/// <reference types="vite/client" />
