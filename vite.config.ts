import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Where the API server listens during `npm run dev:web`; the dev server forwards API calls to it. */
const apiServer = 'http://localhost:8080';

export default defineConfig({
  root: fileURLToPath(new URL('./src/web', import.meta.url)),
  plugins: [react()],
  build: {
    // Outside `root`, so Vite only empties it when told to; the server serves this folder at `/`.
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    // antd alone is larger than Vite's default warning limit, and it is split out already.
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        // Libraries change less often than our code: separate chunks keep them cached across releases.
        codeSplitting: {
          // Higher priority claims a module first: React must not be pulled into the antd chunk.
          groups: [
            {
              name: 'react',
              priority: 30,
              test: /node_modules[\\/](react|react-dom|react-router|react-router-dom|scheduler)[\\/]/,
            },
            { name: 'echarts', priority: 20, test: /node_modules[\\/](echarts|zrender|tslib)[\\/]/ },
            {
              name: 'antd',
              priority: 10,
              test: /node_modules[\\/](antd|@ant-design|@rc-component|rc-[a-z-]+|dayjs|@babel[\\/]runtime|classnames|clsx|stylis|@emotion)[\\/]/,
            },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': apiServer,
      '/healthz': apiServer,
      '/docs': apiServer,
      '/openapi.json': apiServer,
    },
  },
});
