import PDFDocument from 'pdfkit';
import type { FontChoice } from './exports.font.ts';
import { cellText, type ExportDocument, type ExportRow, type ExportTable } from './exports.model.ts';

/**
 * The PDF rendering: A4 landscape, a CJK font embedded (see exports.font.ts), the title centred, the header block
 * on one line, ruled tables whose header repeats on every page they run onto, figures right-aligned with
 * thousands separators, the notes, the signature lines at the foot, and 第 n 页，共 N 页 on every page.
 */

type Pdf = PDFKit.PDFDocument;

const MARGIN = 36;
const BODY_SIZE = 8.5;
const PAD = 3;
const INDENT = 10;

const contentWidth = (pdf: Pdf) => pdf.page.width - 2 * MARGIN;
const bottom = (pdf: Pdf) => pdf.page.height - MARGIN - 14;

function ensureRoom(pdf: Pdf, height: number): boolean {
  if (pdf.y + height <= bottom(pdf)) return false;
  pdf.addPage();
  pdf.y = MARGIN;
  return true;
}

/** Column widths in points: the model's widths scaled to the page. */
function columnPoints(pdf: Pdf, table: ExportTable): number[] {
  const total = table.columns.reduce((sum, column) => sum + column.width, 0);
  return table.columns.map((column) => (column.width / total) * contentWidth(pdf));
}

function rowTexts(table: ExportTable, row: ExportRow): string[] {
  return table.columns.map((column, index) => {
    const value = row.cells[index] ?? null;
    if (value === null && column.kind !== 'text') return '—';
    return cellText(column.kind, value, true);
  });
}

function drawRow(pdf: Pdf, texts: readonly string[], widths: readonly number[], options: RowOptions): void {
  const indent = options.indent * INDENT;
  const height = rowHeight(pdf, texts, widths, indent);
  if (ensureRoom(pdf, height) && options.onNewPage) options.onNewPage();
  const top = pdf.y;
  let x = MARGIN;
  texts.forEach((text, index) => {
    const width = widths[index]!;
    if (options.fill) pdf.rect(x, top, width, height).fillAndStroke('#e7e6e6', '#000000').fillColor('#000000');
    else pdf.rect(x, top, width, height).stroke('#000000');
    const shift = index === 0 ? indent : 0;
    pdf.text(text, x + PAD + shift, top + PAD, {
      width: width - 2 * PAD - shift,
      align: options.align[index] ?? 'left',
      lineGap: 1,
    });
    x += width;
  });
  pdf.x = MARGIN;
  pdf.y = top + height;
}

interface RowOptions {
  readonly align: readonly ('left' | 'center' | 'right')[];
  readonly indent: number;
  readonly fill?: boolean;
  readonly onNewPage?: () => void;
}

function rowHeight(pdf: Pdf, texts: readonly string[], widths: readonly number[], indent: number): number {
  const heights = texts.map((text, index) =>
    pdf.heightOfString(text || ' ', { width: widths[index]! - 2 * PAD - (index === 0 ? indent : 0), lineGap: 1 }),
  );
  return Math.max(...heights) + 2 * PAD;
}

function drawTable(pdf: Pdf, table: ExportTable): void {
  const widths = columnPoints(pdf, table);
  pdf.fontSize(BODY_SIZE);
  if (table.caption) {
    ensureRoom(pdf, 40);
    pdf.fontSize(11).text(table.caption, MARGIN, pdf.y).moveDown(0.3).fontSize(BODY_SIZE);
  }
  const headers = table.columns.map((column) => column.header);
  const header = () => drawRow(pdf, headers, widths, { align: headers.map(() => 'center'), indent: 0, fill: true });
  header();
  const align = table.columns.map((column) => (column.kind === 'text' ? 'left' : 'right'));
  for (const row of table.rows)
    drawRow(pdf, rowTexts(table, row), widths, { align, indent: row.indent ?? 0, onNewPage: header });
  if (table.rows.length === 0) drawRow(pdf, ['（无）'], [contentWidth(pdf)], { align: ['center'], indent: 0 });
  pdf.moveDown(0.8);
}

/** Items spread over the line: the first left, the last right, the others centred. */
function drawSpread(pdf: Pdf, items: readonly string[], size: number): void {
  pdf.fontSize(size);
  const width = contentWidth(pdf) / items.length;
  const top = pdf.y;
  let lowest = top;
  items.forEach((item, index) => {
    const align = index === 0 ? 'left' : index === items.length - 1 ? 'right' : 'center';
    pdf.text(item, MARGIN + index * width, top, { width, align });
    lowest = Math.max(lowest, pdf.y);
  });
  pdf.x = MARGIN;
  pdf.y = lowest;
}

function drawNotes(pdf: Pdf, document: ExportDocument): void {
  pdf.fontSize(BODY_SIZE);
  for (const note of document.notes) {
    const text = `${note.label}：${note.value}`;
    ensureRoom(pdf, pdf.heightOfString(text, { width: contentWidth(pdf) }));
    pdf.text(text, MARGIN, pdf.y, { width: contentWidth(pdf), lineGap: 1 });
  }
  if (document.signatureLines.length === 0) return;
  pdf.moveDown(1.5);
  ensureRoom(pdf, 30);
  drawSpread(
    pdf,
    document.signatureLines.map((label) => `${label}：____________`),
    10,
  );
}

function numberPages(pdf: Pdf): void {
  const range = pdf.bufferedPageRange();
  for (let index = range.start; index < range.start + range.count; index += 1) {
    pdf.switchToPage(index);
    const text = `第 ${index + 1} 页，共 ${range.count} 页`;
    // Written inside the bottom margin: lift the margin so pdfkit does not start a new page for it.
    pdf.page.margins.bottom = 0;
    pdf.fontSize(8).text(text, MARGIN, pdf.page.height - MARGIN, { width: contentWidth(pdf), align: 'center' });
  }
}

export async function renderPdf(document: ExportDocument, font: FontChoice): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    lang: 'zh-CN',
    info: { Title: document.title, Creator: 'Monazite', Producer: 'Monazite' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  if (font.name) pdf.font(font.path, font.name);
  else pdf.font(font.path);
  pdf.fontSize(16).text(document.title, MARGIN, MARGIN, { width: contentWidth(pdf), align: 'center' });
  pdf.moveDown(0.6);
  drawSpread(
    pdf,
    document.meta.map((item) => `${item.label}：${item.value}`),
    BODY_SIZE + 1,
  );
  pdf.moveDown(0.8);
  for (const table of document.tables) drawTable(pdf, table);
  drawNotes(pdf, document);
  numberPages(pdf);
  pdf.end();
  return done;
}
