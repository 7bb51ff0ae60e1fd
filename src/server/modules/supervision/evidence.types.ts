import { DomainError } from '../../shared/errors.ts';
import { XmlScanner } from '../../shared/xml-scanner.ts';
import {
  bufferSource,
  entryChunks,
  InflateBudget,
  readEntries,
  ZipFormatError,
  ZipLimitError,
  type ZipEntry,
  type ZipSource,
} from '../../shared/zip.ts';
import { evidenceTypes, sniffEvidenceType, type EvidenceType } from './supervision.rules.ts';

/**
 * An evidence file's type by its structure. PDF, JPEG and PNG by theirs (supervision.rules.ts). A ZIP is an
 * XLSX or a DOCX only when its central directory lists `[Content_Types].xml` and the main part, the content
 * types give the main part its OOXML type (so a macro-enabled workbook is not an XLSX), and every entry
 * inflates to what the directory says, within the limits below.
 */

/** What an evidence ZIP may hold and expand to. */
export const evidenceZipLimits = {
  evidence_zip_entries: 10_000,
  evidence_zip_part_bytes: 64 * 1024 * 1024,
  evidence_zip_total_bytes: 128 * 1024 * 1024,
} as const;

const mainParts: readonly { part: string; contentType: string; type: EvidenceType }[] = [
  {
    part: 'xl/workbook.xml',
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
    type: evidenceTypes.xlsx,
  },
  {
    part: 'word/document.xml',
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
    type: evidenceTypes.docx,
  },
];

const limitExceeded = (limit: keyof typeof evidenceZipLimits): DomainError =>
  new DomainError(
    413,
    'file_limit_exceeded',
    `The file passes the limit ${limit} = ${evidenceZipLimits[limit]}.`,
    [{ field: '(file)', message: `limit ${limit}: ${evidenceZipLimits[limit]}` }],
    { limit, max: evidenceZipLimits[limit] },
  );

/** The content type `[Content_Types].xml` gives a part: its Override, else the Default of its extension. */
async function contentTypeOf(
  source: ZipSource,
  entry: ZipEntry,
  budget: InflateBudget,
  part: string,
): Promise<string | undefined> {
  const overrides = new Map<string, string>();
  const defaults = new Map<string, string>();
  const scanner = new XmlScanner({
    open(name, attributes) {
      if (name === 'Override' && attributes.PartName && attributes.ContentType)
        overrides.set(attributes.PartName.replace(/^\//, '').toLowerCase(), attributes.ContentType);
      if (name === 'Default' && attributes.Extension && attributes.ContentType)
        defaults.set(attributes.Extension.toLowerCase(), attributes.ContentType);
    },
    close: () => undefined,
    text: () => undefined,
  });
  for await (const chunk of entryChunks(source, entry, budget)) scanner.push(chunk);
  scanner.end();
  return overrides.get(part.toLowerCase()) ?? defaults.get(part.slice(part.lastIndexOf('.') + 1).toLowerCase());
}

async function ooxmlType(bytes: Uint8Array): Promise<EvidenceType | null> {
  const source = bufferSource(bytes);
  const budget = new InflateBudget({
    maxEntryBytes: evidenceZipLimits.evidence_zip_part_bytes,
    maxTotalBytes: evidenceZipLimits.evidence_zip_total_bytes,
  });
  try {
    const entries = await readEntries(source, { maxEntries: evidenceZipLimits.evidence_zip_entries });
    budget.checkDeclared(entries);
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    const types = byName.get('[Content_Types].xml');
    const main = mainParts.filter((candidate) => byName.has(candidate.part));
    if (!types || main.length !== 1) return null;
    const { part, contentType, type } = main[0]!;
    if ((await contentTypeOf(source, types, budget, part)) !== contentType) return null;
    // Every entry must be what the directory says it is.
    for (const entry of entries)
      if (entry !== types) for await (const chunk of entryChunks(source, entry, budget)) void chunk;
    return type;
  } catch (error) {
    if (error instanceof ZipLimitError)
      throw limitExceeded(
        error.limit === 'entries'
          ? 'evidence_zip_entries'
          : error.limit === 'entry_bytes'
            ? 'evidence_zip_part_bytes'
            : 'evidence_zip_total_bytes',
      );
    if (error instanceof ZipFormatError || (error instanceof Error && error.name.startsWith('Xml'))) return null;
    throw error;
  }
}

/** The file's type by its structure, or null when it is none of the accepted kinds. */
export async function evidenceTypeOf(bytes: Uint8Array): Promise<EvidenceType | null> {
  const sniffed = sniffEvidenceType(bytes);
  return sniffed === 'zip' ? ooxmlType(bytes) : sniffed;
}
