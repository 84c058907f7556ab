import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

/**
 * The console: `vite build --config console/vite.config.ts` writes console/dist, which the local
 * server serves at / and the stack uploads to the console bucket. `vite --config console/vite.config.ts`
 * serves it with hot reload and proxies the API to `npm start` (LEADFLOW_API, default :3000).
 */
const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.LEADFLOW_API ?? 'http://127.0.0.1:3000';
const proxied = ['/health', '/_local', '/leads', '/tasks', '/config', '/reports', '/scoring', '/imports', '/opportunities', '/accounts', '/contacts', '/me', '/quotes'];

export default defineConfig({
  root,
  base: '/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    assetsDir: 'assets',
  },
  server: { proxy: Object.fromEntries(proxied.map((p) => [p, api])) },
});
