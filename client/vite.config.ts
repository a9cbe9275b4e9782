import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

// `npm run build` (run by postinstall) builds the dashboard into client/dist,
// which `earshot serve` hands out as static files. `npx vite client` serves it
// with hot reload against a running `earshot serve` (EARSHOT_URL, default
// http://127.0.0.1:8080).
const backend = process.env.EARSHOT_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [svelte()],
  build: {
    sourcemap: process.env.EARSHOT_SOURCEMAP === "1",
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/api': backend,
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
});
