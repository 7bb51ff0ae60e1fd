import { invalid } from '../../shared/errors.ts';
import { XmlMarkupTooLong, XmlScanner, XmlSyntaxError, type XmlHandler } from '../../shared/xml-scanner.ts';
import {
  entryChunks,
  fileSource,
  InflateBudget,
  readEntries,
  ZipFormatError,
  ZipLimitError,
  type ZipEntry,
  type ZipSource,
} from '../../shared/zip.ts';
import { fileLimitExceeded, flowFileLimits, type FlowFileLimit } from './flow-files.limits.ts';
import type { CellValue } from './flow-files.rules.ts';

/**
 * The first worksheet of an XLSX workbook as rows of typed cells, read with hard limits (flow-files.limits.ts).
 * The ZIP is read by its central directory, so the order of the parts inside it does not matter: the workbook
 * and its relationships first (which sheet is first), then the styles (which cells are dates), the shared
 * strings (held, within their limits), and last the sheet, streamed. Every part's inflated bytes are counted
 * as they come out; every count (entries, strings, rows, cells, columns, sheets) is checked as it grows.
 */

export interface XlsxRow {
  /** The row number in the sheet (1-based). */
  readonly row: number;
  readonly cells: readonly CellValue[];
}

const RELATIONSHIP = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/';
const STRICT_RELATIONSHIP = 'http://purl.oclc.org/ooxml/officeDocument/relationships/';

/** The part a relationship target names, relative to the part that holds the relationships. */
function resolvePart(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = base.split('/').slice(0, -1);
  for (const piece of target.split('/')) {
    if (piece === '..') parts.pop();
    else if (piece !== '.' && piece !== '') parts.push(piece);
  }
  return parts.join('/');
}

const relsOf = (part: string): string => {
  const slash = part.lastIndexOf('/');
  return `${part.slice(0, slash + 1)}_rels/${part.slice(slash + 1)}.rels`;
};

const relationshipType = (type: string): string =>
  type.startsWith(RELATIONSHIP)
    ? type.slice(RELATIONSHIP.length)
    : type.startsWith(STRICT_RELATIONSHIP)
      ? type.slice(STRICT_RELATIONSHIP.length)
      : type;

/** Formats Excel shows as dates: built-in ids, and custom codes with date or time letters outside quotes. */
const builtInDateFormats = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56,
  57, 58,
]);
export function isDateFormat(code: string): boolean {
  const bare = code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '');
  return /[ymdhMsb]+/.test(bare);
}

/** An Excel serial day as the Date whose UTC fields are the wall-clock time it shows. */
function excelDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 24 * 3600 * 1000));
}

/** "AB12" → column 28 (1-based); undefined when the reference has no column letters. */
function columnOf(reference: string): number | undefined {
  let column = 0;
  for (const char of reference) {
    const code = char.charCodeAt(0);
    if (code >= 65 && code <= 90) column = column * 26 + (code - 64);
    else if (code >= 97 && code <= 122) column = column * 26 + (code - 96);
    else break;
    if (column > flowFileLimits.columns) return column;
  }
  return column === 0 ? undefined : column;
}

/** The bytes of the package: the parts by name, read under one budget. */
class Package {
  private readonly budget = new InflateBudget({
    maxEntryBytes: flowFileLimits.xlsx_part_bytes,
    maxTotalBytes: flowFileLimits.xlsx_total_bytes,
  });

  private constructor(
    private readonly source: ZipSource,
    private readonly entries: ReadonlyMap<string, ZipEntry>,
  ) {}

  static async open(source: ZipSource): Promise<Package> {
    const entries = await readEntries(source, { maxEntries: flowFileLimits.xlsx_zip_entries });
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    const found = new Package(source, byName);
    found.budget.checkDeclared(entries);
    return found;
  }

  has(part: string): boolean {
    return this.entries.has(part);
  }

  /** Scans a part with a handler; false when the part is not in the package. */
  async scan(part: string, handler: XmlHandler): Promise<boolean> {
    const entry = this.entries.get(part);
    if (!entry) return false;
    const scanner = new XmlScanner(handler);
    for await (const chunk of entryChunks(this.source, entry, this.budget)) scanner.push(chunk);
    scanner.end();
    return true;
  }

  chunks(part: string): AsyncGenerator<Buffer> {
    const entry = this.entries.get(part);
    if (!entry) throw new ZipFormatError(`the part ${part} is missing`);
    return entryChunks(this.source, entry, this.budget);
  }
}

/** Relationship id → { type, target part } of a part's .rels. */
async function relationships(pkg: Package, part: string): Promise<Map<string, { type: string; target: string }>> {
  const found = new Map<string, { type: string; target: string }>();
  await pkg.scan(relsOf(part), {
    open(name, attributes) {
      if (name !== 'Relationship' || attributes.TargetMode === 'External') return;
      const { Id: id, Type: type, Target: target } = attributes;
      if (id && type && target) found.set(id, { type: relationshipType(type), target: resolvePart(part, target) });
    },
    close: () => undefined,
    text: () => undefined,
  });
  return found;
}

interface Workbook {
  readonly firstSheet: string | undefined;
  readonly date1904: boolean;
  readonly sharedStrings: string | undefined;
  readonly styles: string | undefined;
}

async function readWorkbook(pkg: Package): Promise<Workbook> {
  const root = await relationships(pkg, '');
  const officeDocument = [...root.values()].find((item) => item.type === 'officeDocument')?.target;
  const workbookPart = officeDocument ?? 'xl/workbook.xml';
  if (!pkg.has(workbookPart)) throw new ZipFormatError('the package has no workbook part');
  const sheetIds: string[] = [];
  let date1904 = false;
  await pkg.scan(workbookPart, {
    open(name, attributes) {
      if (name === 'workbookPr') date1904 = attributes.date1904 === '1' || attributes.date1904 === 'true';
      if (name === 'sheet') {
        if (sheetIds.length >= flowFileLimits.xlsx_sheets) throw fileLimitExceeded('xlsx_sheets');
        sheetIds.push(attributes.id ?? '');
      }
    },
    close: () => undefined,
    text: () => undefined,
  });
  const rels = await relationships(pkg, workbookPart);
  const partOfType = (type: string) => [...rels.values()].find((item) => item.type === type)?.target;
  const firstId = sheetIds[0];
  const firstSheet = firstId === undefined ? undefined : rels.get(firstId)?.target;
  if (firstId !== undefined && (firstSheet === undefined || !pkg.has(firstSheet)))
    throw new ZipFormatError('the workbook names a first sheet that is not in the package');
  return { firstSheet, date1904, sharedStrings: partOfType('sharedStrings'), styles: partOfType('styles') };
}

/** For each cell style index: whether its number format is a date. */
async function readDateStyles(pkg: Package, part: string | undefined): Promise<boolean[]> {
  if (!part) return [];
  const customFormats = new Map<number, string>();
  const formatIds: number[] = [];
  let inCellXfs = false;
  await pkg.scan(part, {
    open(name, attributes, selfClosing) {
      if (name === 'numFmt') customFormats.set(Number(attributes.numFmtId), attributes.formatCode ?? '');
      else if (name === 'cellXfs') inCellXfs = !selfClosing;
      else if (inCellXfs && name === 'xf') {
        if (formatIds.length >= flowFileLimits.xlsx_cells) throw fileLimitExceeded('xlsx_cells');
        formatIds.push(Number(attributes.numFmtId ?? 0));
      }
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
    text: () => undefined,
  });
  return formatIds.map((id) => {
    const custom = customFormats.get(id);
    return custom !== undefined ? isDateFormat(custom) : builtInDateFormats.has(id);
  });
}

/** Accumulates the text of `<t>` elements (not phonetic runs), refusing a text longer than a cell holds. */
class TextCollector {
  private pieces: string[] = [];
  private length = 0;
  inText = false;
  private phonetic = 0;

  open(name: string, selfClosing: boolean): void {
    if (name === 'rPh' && !selfClosing) this.phonetic += 1;
    else if (name === 't' && !selfClosing && this.phonetic === 0) this.inText = true;
  }

  close(name: string): void {
    if (name === 'rPh') this.phonetic = Math.max(0, this.phonetic - 1);
    else if (name === 't') this.inText = false;
  }

  add(piece: string, row?: number): void {
    if (!this.inText) return;
    this.length += piece.length;
    if (this.length > flowFileLimits.cell_chars) throw fileLimitExceeded('cell_chars', row);
    this.pieces.push(piece);
  }

  take(): string {
    const text = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('');
    this.pieces = [];
    this.length = 0;
    this.inText = false;
    this.phonetic = 0;
    return text;
  }
}

async function readSharedStrings(pkg: Package, part: string | undefined): Promise<string[]> {
  const strings: string[] = [];
  if (!part) return strings;
  let chars = 0;
  let inItem = false;
  const collector = new TextCollector();
  await pkg.scan(part, {
    open(name, _attributes, selfClosing) {
      if (name === 'si') {
        inItem = true;
        if (strings.length >= flowFileLimits.xlsx_shared_strings) throw fileLimitExceeded('xlsx_shared_strings');
        if (selfClosing) return;
      } else if (inItem) collector.open(name, selfClosing);
    },
    close(name) {
      if (name === 'si' && inItem) {
        const text = collector.take();
        chars += text.length;
        if (chars > flowFileLimits.xlsx_shared_string_chars) throw fileLimitExceeded('xlsx_shared_string_chars');
        strings.push(text);
        inItem = false;
      } else if (inItem) collector.close(name);
    },
    text(piece) {
      if (inItem) collector.add(piece);
    },
  });
  return strings;
}

interface SheetContext {
  readonly strings: readonly string[];
  readonly dateStyles: readonly boolean[];
  readonly date1904: boolean;
}

/** Builds rows from the sheet's XML events; finished rows wait in `ready` for the reader to take them. */
class SheetBuilder implements XmlHandler {
  readonly ready: XlsxRow[] = [];
  private rowNumber = 0;
  private rows = 0;
  private cellCount = 0;
  private cells: CellValue[] = [];
  private inRow = false;
  private cell: { column: number; type: string; style: number } | undefined;
  private nextColumn = 1;
  private value: string[] = [];
  private valueLength = 0;
  private inValue = false;
  private inInline = false;
  private readonly inline = new TextCollector();

  constructor(private readonly context: SheetContext) {}

  open(name: string, attributes: Readonly<Record<string, string>>, selfClosing: boolean): void {
    if (name === 'row') {
      const declared = attributes.r === undefined ? this.rowNumber + 1 : Number(attributes.r);
      if (!Number.isInteger(declared) || declared <= this.rowNumber)
        throw new ZipFormatError(`row ${attributes.r ?? '?'} is out of order`);
      if (declared > flowFileLimits.rows || this.rows >= flowFileLimits.rows)
        throw fileLimitExceeded('rows', Math.min(declared, flowFileLimits.rows + 1));
      this.rowNumber = declared;
      this.rows += 1;
      this.cells = [];
      this.nextColumn = 1;
      this.inRow = !selfClosing;
      if (selfClosing) this.ready.push({ row: declared, cells: [] });
    } else if (name === 'c' && this.inRow) {
      const column = attributes.r === undefined ? this.nextColumn : columnOf(attributes.r);
      if (column === undefined) throw new ZipFormatError(`the cell reference ${attributes.r ?? ''} is not a cell`);
      if (column > flowFileLimits.columns) throw fileLimitExceeded('columns', this.rowNumber);
      this.cellCount += 1;
      if (this.cellCount > flowFileLimits.xlsx_cells) throw fileLimitExceeded('xlsx_cells', this.rowNumber);
      this.nextColumn = column + 1;
      this.cell = { column, type: attributes.t ?? 'n', style: Number(attributes.s ?? 0) };
      this.value = [];
      this.valueLength = 0;
      if (selfClosing) this.finishCell();
    } else if (this.cell) {
      if (name === 'v') this.inValue = !selfClosing;
      else if (name === 'is') this.inInline = !selfClosing;
      else if (this.inInline) this.inline.open(name, selfClosing);
    }
  }

  close(name: string): void {
    if (name === 'row' && this.inRow) {
      this.inRow = false;
      this.ready.push({ row: this.rowNumber, cells: this.cells });
    } else if (name === 'c' && this.cell) this.finishCell();
    else if (name === 'v') this.inValue = false;
    else if (name === 'is') this.inInline = false;
    else if (this.inInline) this.inline.close(name);
  }

  text(piece: string): void {
    if (this.inValue) {
      this.valueLength += piece.length;
      if (this.valueLength > flowFileLimits.cell_chars) throw fileLimitExceeded('cell_chars', this.rowNumber);
      this.value.push(piece);
    } else if (this.inInline) this.inline.add(piece, this.rowNumber);
  }

  private finishCell(): void {
    const cell = this.cell!;
    this.cell = undefined;
    this.inValue = false;
    const inline = this.inline.take();
    this.inInline = false;
    const raw = this.value.join('');
    const value = this.cellValue(cell, raw, inline);
    if (value !== undefined) this.cells[cell.column - 1] = value;
  }

  private cellValue(cell: { type: string; style: number }, raw: string, inline: string): CellValue {
    switch (cell.type) {
      case 's': {
        if (raw.trim() === '') return undefined;
        const index = Number(raw);
        const text = this.context.strings[index];
        if (!Number.isInteger(index) || text === undefined)
          throw new ZipFormatError(`row ${this.rowNumber} refers to shared string ${raw}, which is not in the table`);
        return text;
      }
      case 'inlineStr':
        return inline;
      case 'str':
        return raw;
      case 'b':
        return raw === '' ? undefined : raw.trim() === '1' || raw.trim() === 'true';
      case 'e':
        return raw === '' ? undefined : raw;
      case 'd':
        return raw === '' ? undefined : new Date(raw);
      default: {
        if (raw.trim() === '') return undefined;
        const number = Number(raw);
        if (Number.isNaN(number)) return raw;
        return this.context.dateStyles[cell.style] ? excelDate(number, this.context.date1904) : number;
      }
    }
  }
}

/** Read errors of the package as the 422 of a file that is not a readable workbook; limits as their 413. */
function asFileProblem(error: unknown): unknown {
  if (error instanceof ZipLimitError) {
    const names: Record<ZipLimitError['limit'], FlowFileLimit> = {
      entries: 'xlsx_zip_entries',
      entry_bytes: 'xlsx_part_bytes',
      total_bytes: 'xlsx_total_bytes',
    };
    return fileLimitExceeded(names[error.limit]);
  }
  if (error instanceof XmlMarkupTooLong) return fileLimitExceeded('cell_chars');
  if (error instanceof ZipFormatError || error instanceof XmlSyntaxError) {
    const message = error.message;
    return invalid(`The file could not be read as an XLSX workbook: ${message}`, [
      { row: 0, field: '(file)', message },
    ]);
  }
  return error;
}

/** The rows of the workbook's first worksheet, in order, within the limits. */
export async function* xlsxRows(path: string, onBytes?: (bytesRead: number) => void): AsyncGenerator<XlsxRow> {
  const file = await fileSource(path);
  let position = 0;
  const source: ZipSource = {
    size: file.size,
    read: async (at, length) => {
      const bytes = await file.read(at, length);
      position = Math.max(position, at + bytes.length);
      return bytes;
    },
    close: () => file.close(),
  };
  try {
    const pkg = await Package.open(source);
    if (!pkg.has('[Content_Types].xml')) throw new ZipFormatError('the archive has no [Content_Types].xml');
    const workbook = await readWorkbook(pkg);
    if (!workbook.firstSheet) return;
    const dateStyles = await readDateStyles(pkg, workbook.styles);
    const strings = await readSharedStrings(pkg, workbook.sharedStrings);
    const builder = new SheetBuilder({ strings, dateStyles, date1904: workbook.date1904 });
    const scanner = new XmlScanner(builder);
    for await (const chunk of pkg.chunks(workbook.firstSheet)) {
      scanner.push(chunk);
      yield* builder.ready.splice(0);
      onBytes?.(position);
    }
    scanner.end();
    yield* builder.ready.splice(0);
  } catch (error) {
    throw asFileProblem(error);
  } finally {
    await source.close();
  }
}
