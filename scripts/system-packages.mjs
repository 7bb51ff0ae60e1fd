/* global process, console */
// The Debian packages the tests need, in one list. `.ci/run` installs what is missing from it
// (`node scripts/system-packages.mjs --install`), the test run's global setup stops at once when one is missing,
// naming the `apt-get install` line, and a test holds the README's command to this list.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** Each package, what it is for, and how to tell it is there (a command on the PATH, or a font fontconfig knows). */
export const systemPackages = [
  { name: 'chromium', command: 'chromium', for: 'the browser tests (playwright-core drives it)' },
  { name: 'fonts-noto-cjk', font: 'Noto Sans CJK', for: 'Chinese text in the browser and PDF tests' },
  {
    name: 'poppler-utils',
    command: 'pdftoppm',
    for: 'reading exported PDF files back (pdftotext, pdffonts, pdftoppm)',
  },
  {
    name: 'libreoffice-calc-nogui',
    command: 'soffice',
    for: 'opening exported XLSX files as Excel would (soffice)',
    // Older Debian releases have no build without the GUI.
    fallback: 'libreoffice-calc',
  },
  {
    name: 'postgresql-client',
    command: 'pg_dump',
    for: 'backups on PostgreSQL (pg_dump, pg_restore), when DATABASE_URL is set',
    onlyWith: 'DATABASE_URL',
  },
];

/** The one command that installs them all. */
export const aptLine = `apt-get install -y ${systemPackages.map((item) => item.name).join(' ')}`;

const found = (command, env) =>
  spawnSync('/bin/sh', ['-c', `command -v ${command}`], { stdio: 'ignore', env }).status === 0;
const fontKnown = (family) => {
  const list = spawnSync('fc-list', [':', 'family'], { encoding: 'utf8' });
  return list.status === 0 && list.stdout.toLowerCase().includes(family.toLowerCase());
};

/** The packages this run needs and this machine lacks. */
export function missingSystemPackages(env = process.env) {
  return systemPackages.filter(
    (item) =>
      (!item.onlyWith || Boolean(env[item.onlyWith])) &&
      !(item.command ? found(item.command, env) : fontKnown(item.font)),
  );
}

/** A message naming what is missing and the line that installs it, or null when nothing is. */
export function systemPackageProblem(env = process.env) {
  const missing = missingSystemPackages(env);
  if (missing.length === 0) return null;
  return (
    `The tests need Debian packages this machine lacks: ${missing.map((item) => `${item.name} (${item.for})`).join('; ')}.\n` +
    `Install them all with:\n  ${aptLine}\n(README, "Tests").`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const mode = process.argv[2] ?? '--check';
  if (mode === '--apt-line') {
    console.log(aptLine);
  } else if (mode === '--install') {
    const missing = missingSystemPackages();
    if (missing.length > 0) {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
      if (!run(['update', '-qq'])) process.exit(1);
      for (const item of missing) {
        if (
          !run(['install', '-y', '-qq', item.name]) &&
          !(item.fallback && run(['install', '-y', '-qq', item.fallback]))
        )
          process.exit(1);
      }
    }
    const problem = systemPackageProblem();
    if (problem) {
      console.error(problem);
      process.exit(1);
    }
    console.log('system packages: all present');
  } else {
    const problem = systemPackageProblem();
    if (problem) {
      console.error(problem);
      process.exit(1);
    }
    console.log('system packages: all present');
  }
}
