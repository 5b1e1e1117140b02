// The UI is a static bundle the API server serves (packages/server, --ui-dir): no dev-server
// proxying, so the built files are the only thing that ships. Vite's own JSX transform (oxc) is
// enough; the React plugin only adds hot reload.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
});
