// Builds the UI into ui/dist, which `build.rs` embeds in the `concord` binary.
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  // Scripts run from the repository root (package.json is there).
  root: 'ui',
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets', sourcemap: false },
  server: { proxy: { '/api': 'http://127.0.0.1:7480' } },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
