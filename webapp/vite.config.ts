// Vite: the build the `confab` binary embeds (webapp/dist, committed; CI rebuilds it and
// fails on any difference, so nothing here may depend on the time or the machine).
import { defineConfig } from 'vite';

export default defineConfig({
  // JSX through esbuild (React 17+ automatic runtime): no Babel plugin needed.
  esbuild: { jsx: 'automatic' },
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'static',
    sourcemap: false,
    target: 'es2020',
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // `npm run dev` against a local `confab serve` (default port 8065).
    proxy: {
      '/api/v4/websocket': { target: 'ws://127.0.0.1:8065', ws: true },
      '/api': 'http://127.0.0.1:8065',
    },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/unit/**/*.test.ts'],
  },
});
