/**
 * The server's own words, by stable code, in the reader's language (zh-CN first; English on request). A message
 * is a template whose `{name}` placeholders are filled from the params sent beside the code, so a client can render
 * the same code from its own catalogue.
 */
export type Locale = 'zh-CN' | 'en';

const catalogue = {
  pdf_font_missing: {
    'zh-CN':
      'PDF 字体设置有误：PDF_FONT_PATH 指向的文件“{path}”不存在。请改正路径，或删去 PDF_FONT_PATH 以使用随程序安装的思源黑体。',
    en: 'PDF font: PDF_FONT_PATH names "{path}", which does not exist. Correct the path, or unset PDF_FONT_PATH to use the bundled Source Han Sans SC.',
  },
  pdf_font_unreadable: {
    'zh-CN':
      'PDF 字体设置有误：PDF_FONT_PATH 指向的文件“{path}”不是可用的字体（需要 .ttf、.otf，或 .ttc 字体集中的一款）。请改正，或删去 PDF_FONT_PATH 以使用随程序安装的思源黑体。',
    en: 'PDF font: "{path}" (PDF_FONT_PATH) is not a usable font (a .ttf, .otf, or a face of a .ttc collection is needed). Correct it, or unset PDF_FONT_PATH to use the bundled Source Han Sans SC.',
  },
  pdf_font_face_missing: {
    'zh-CN':
      'PDF 字体设置有误：字体集“{path}”中没有名为“{face}”的字体。请写成 PDF_FONT_PATH=/路径/字体集.ttc#PostScript名称，例如 #NotoSansCJKsc-Regular。',
    en: 'PDF font: the collection "{path}" has no face named "{face}". Write PDF_FONT_PATH=/path/collection.ttc#PostScriptName, e.g. #NotoSansCJKsc-Regular.',
  },
  pdf_font_no_glyphs: {
    'zh-CN':
      'PDF 字体设置有误：字体“{path}”缺少汉字（如“{missing}”），公文表格中的中文无法显示。请选用含简体中文的字体。',
    en: 'PDF font: "{path}" lacks Chinese characters (such as "{missing}"), so the forms could not show their Chinese text. Choose a font with Simplified Chinese.',
  },
  workers_need_postgres: {
    'zh-CN':
      '进程数设置有误：WORKERS={workers} 需要 PostgreSQL（设置 DATABASE_URL）。内嵌数据库只能由一个进程使用，请把 WORKERS 设为 1。',
    en: 'WORKERS={workers} needs PostgreSQL (set DATABASE_URL): the embedded database belongs to one process. Set WORKERS to 1.',
  },
  rate_limit_store_needs_postgres: {
    'zh-CN': '限流设置有误：RATE_LIMIT_STORE=database 需要 PostgreSQL（设置 DATABASE_URL）；内嵌数据库请用 memory。',
    en: 'RATE_LIMIT_STORE=database needs PostgreSQL (set DATABASE_URL); use memory with the embedded database.',
  },
  production_settings_missing: {
    'zh-CN':
      '生产模式（NODE_ENV=production）拒绝启动，以下设置须先改好：{settings}。详见 docs/operations.md“生产启动”。',
    en: 'Production mode (NODE_ENV=production) refuses to start until these settings are changed: {settings}. See docs/operations.md, "Production start-up".',
  },
  read_replicas_need_postgres: {
    'zh-CN': '只读副本设置有误：DATABASE_READ_URL 需要同时设置主库 DATABASE_URL（PostgreSQL）；内嵌数据库没有副本。',
    en: 'DATABASE_READ_URL needs DATABASE_URL (the PostgreSQL primary) as well; the embedded database has no replicas.',
  },
} as const satisfies Record<string, Record<Locale, string>>;

export type MessageCode = keyof typeof catalogue;

export function formatMessage(
  code: MessageCode,
  params: Readonly<Record<string, string | number>>,
  locale: Locale = 'zh-CN',
): string {
  return catalogue[code][locale].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/**
 * A setting the server cannot start with. The message is the Chinese text, then the English, so the operator who
 * reads the terminal or the service log sees what to change; `code` and `params` are for scripts.
 */
export class StartupError extends Error {
  constructor(
    readonly code: MessageCode,
    readonly params: Readonly<Record<string, string | number>>,
  ) {
    super(`${formatMessage(code, params, 'zh-CN')}\n${formatMessage(code, params, 'en')}`);
    this.name = 'StartupError';
  }
}
