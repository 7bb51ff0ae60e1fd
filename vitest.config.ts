import { defineConfig } from 'vitest/config';

/**
 * One `npm test`:
 * - pglite: every test, each test file on its own copy of a migrated demo database in embedded PGlite;
 * - postgres: the database tests (`*.db.test.ts`) again on the server at DATABASE_URL, when it is set;
 * - e2e: browser tests through Debian's chromium against a server on an in-memory PGlite.
 */
const onPostgres = Boolean(process.env.DATABASE_URL);

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true as const,
        test: {
          name: 'pglite',
          include: ['test/**/*.test.ts'],
          // The CLI import test kills a child process mid-import: it needs a server the child can reach.
          exclude: ['test/e2e/**', 'test/flows/import-cli.db.test.ts'],
          env: { TEST_ENGINE: 'pglite' },
        },
      },
      ...(onPostgres
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: ['test/**/*.db.test.ts'],
                exclude: ['test/e2e/**'],
                env: { TEST_ENGINE: 'postgres' },
              },
            },
          ]
        : []),
      {
        extends: true as const,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          env: { TEST_ENGINE: 'pglite' },
          fileParallelism: false,
          testTimeout: 90_000,
        },
      },
    ],
  },
});
