import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { aptLine, systemPackageProblem, systemPackages } from '../../scripts/system-packages.mjs';

/** One list of the Debian packages the tests need: the README shows its line, `.ci/run` installs from it. */
describe('the system packages the tests need', () => {
  it('are shown in the README as the one line that installs them', async () => {
    const readme = await readFile('README.md', 'utf8');
    expect(aptLine).toBe(`apt-get install -y ${systemPackages.map((item) => item.name).join(' ')}`);
    expect(readme).toContain(aptLine);
    for (const item of systemPackages) expect(readme).toContain(`\`${item.name}\``);
  });

  it('are what .ci/run installs', async () => {
    const ci = await readFile('.ci/run', 'utf8');
    expect(ci).toContain('node scripts/system-packages.mjs --install');
    expect(ci).not.toMatch(/apt-get install/);
  });

  it('when missing, are named with the line that installs them', () => {
    const problem = systemPackageProblem({ PATH: '/nonexistent' });
    expect(problem).toContain('chromium (the browser tests');
    expect(problem).toContain('libreoffice-calc-nogui');
    // Only a run on PostgreSQL needs its client tools.
    expect(problem).not.toContain('postgresql-client (');
    expect(problem).toContain(aptLine);
    expect(systemPackageProblem({ PATH: '/nonexistent', DATABASE_URL: 'postgres://x' })).toContain(
      'postgresql-client (',
    );
  });

  it('are all present on this machine, or the run would have stopped before any test', () => {
    expect(systemPackageProblem()).toBeNull();
  });
});
