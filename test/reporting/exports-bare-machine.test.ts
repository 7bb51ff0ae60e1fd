import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompilationView, TotalLine } from '../../src/contracts/reporting.ts';
import { CodeSource } from '../support/second-factor.ts';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-data.ts';
import { grouped, run } from './export-readers.ts';

/**
 * The official PDF forms on a machine with no system font: the server runs (as `npm start` does, with its demo
 * data) in a private mount namespace whose font folders are empty, so nothing it finds there can help; the board,
 * a compilation and the provincial annual supervision report come out as PDFs whose text layer holds their Chinese
 * titles, division names and figures. Needs `unshare` (util-linux) and permission to make a mount namespace: root,
 * or unprivileged user namespaces.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const FONT_FOLDERS = ['/usr/share/fonts', '/usr/local/share/fonts'];

let server: ChildProcess;
let base = '';
let visibleFonts = -1;
let empty = '';

beforeAll(async () => {
  empty = await mkdtemp(join(tmpdir(), 'monazite-nofonts-'));
  const hide = FONT_FOLDERS.map((folder) => `if [ -d ${folder} ]; then mount --bind ${empty} ${folder}; fi`);
  const count = `echo "fonts-visible: $(find ${FONT_FOLDERS.join(' ')} -type f 2>/dev/null | wc -l)"`;
  server = spawn(
    'unshare',
    ['-rm', 'sh', '-c', `${hide.join(' && ')} && ${count} && exec node bin/monazite.mjs serve`],
    {
      cwd: root,
      env: { ...process.env, PGLITE_DATA_DIR: 'memory://', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 220_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const fonts = /fonts-visible: (\d+)/.exec(output);
      if (fonts) visibleFonts = Number(fonts[1]);
      const running = /running at (http:\/\/\S+)/.exec(output);
      if (running) {
        clearTimeout(timer);
        resolve(running[1]!.replace('localhost', '127.0.0.1'));
      }
    };
    server.stdout!.on('data', read);
    server.stderr!.on('data', read);
    server.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${output}`)));
  });
}, 240_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  if (empty) await rm(empty, { recursive: true, force: true });
});

const codes = new CodeSource();
async function signIn(login: string): Promise<string> {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: DEMO_PASSWORD }),
  });
  expect(response.status).toBe(200);
  const cookie = response.headers
    .getSetCookie()
    .find((item) => item.startsWith('monazite_session='))!
    .split(';')[0]!;
  const { csrf_token } = (await response.json()) as { csrf_token: string };
  const given = await fetch(`${base}/api/v1/auth/second-factor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf_token },
    body: JSON.stringify({ code: await codes.next(login) }),
  });
  expect(given.status).toBe(200);
  return cookie;
}

async function get(cookie: string, path: string): Promise<Response> {
  return fetch(`${base}/api/v1${path}`, { headers: { cookie } });
}

/** The PDF's text layer, as a reader who copies text from it or searches it would get it. */
async function pdfText(response: Response): Promise<string> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/pdf');
  const bytes = Buffer.from(await response.arrayBuffer());
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  const dir = await mkdtemp(join(tmpdir(), 'monazite-pdf-'));
  try {
    await writeFile(join(dir, 'form.pdf'), bytes);
    const fonts = (await run('pdffonts', [join(dir, 'form.pdf')])).stdout;
    expect(fonts).toMatch(/\+SourceHanSansSC-Regular/);
    return (await run('pdftotext', ['-layout', join(dir, 'form.pdf'), '-'])).stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const figures = (line: TotalLine) => [line.production_reo_kg, line.cumulative_reo_kg, line.allocated_reo_kg];

describe('the official PDF forms with no system font', () => {
  it('the namespace hides every system font', () => {
    expect(visibleFonts).toBe(0);
  });

  it('the national status board', async () => {
    const miit = await signIn('miit');
    const text = await pdfText(await get(miit, '/reporting/board/export?period=2026-10&format=pdf'));
    expect(text).toContain('稀土总量控制指标执行情况报送进度表');
    expect(text).toContain('报告期：2026年10月');
    for (const province of ['内蒙古自治区', '江西省', '四川省']) expect(text).toContain(province);
  });

  it("a prefecture's compilation, with its figures", async () => {
    const miit = await signIn('miit');
    const list = await get(miit, '/compilations?division_code=360700&period=2026-09');
    expect(list.status).toBe(200);
    const compilation = ((await list.json()) as CompilationView[]).at(-1)!;
    const text = await pdfText(await get(miit, `/compilations/${compilation.id}/export?format=pdf`));
    expect(text).toContain('赣州市稀土总量控制指标执行情况月报汇总表');
    const shown = compilation.totals.flatMap(figures).filter((kg) => kg >= 1000);
    expect(shown.length).toBeGreaterThan(0);
    for (const kg of shown) expect(text).toContain(grouped(kg));
  });

  it("Inner Mongolia's annual supervision report", async () => {
    const province = await signIn('nmg.iit');
    const text = await pdfText(await get(province, '/supervision/annual-reports/150000/2026/export?format=pdf'));
    expect(text).toContain('内蒙古自治区2026年度稀土总量控制监督检查情况报告');
    expect(text).toContain('包头');
  });
});
