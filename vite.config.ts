import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const outDir = fileURLToPath(new URL('./dist/web', import.meta.url));

/**
 * Precompresses the built files once, at build time (brotli at its best quality, and gzip), so the server sends
 * `.br` or `.gz` beside each file to a browser that accepts them without compressing per request.
 */
function precompress(): Plugin {
  const worthIt = /\.(js|css|html|svg|json|txt)$/;
  return {
    name: 'monazite-precompress',
    apply: 'build',
    async closeBundle() {
      const files = await readdir(outDir, { recursive: true });
      for (const file of files.filter((name) => worthIt.test(name))) {
        const path = join(outDir, file);
        const content = await readFile(path);
        if (content.length < 1024) continue;
        await writeFile(
          `${path}.br`,
          brotliCompressSync(content, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
            },
          }),
        );
        await writeFile(`${path}.gz`, gzipSync(content, { level: 9 }));
      }
    },
  };
}

/** Where the API server listens during `npm run dev:web`; the dev server forwards API calls to it. */
const apiServer = 'http://localhost:8080';

export default defineConfig({
  root: fileURLToPath(new URL('./src/web', import.meta.url)),
  plugins: [react(), precompress()],
  build: {
    // Outside `root`, so Vite only empties it when told to; the server serves this folder at `/`.
    outDir,
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
