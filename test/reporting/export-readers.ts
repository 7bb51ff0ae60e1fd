import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parse, type Options } from 'csv-parse/sync';
import type ExcelJS from 'exceljs';
import { expect } from 'vitest';
import type { BoardView, TotalLine } from '../../src/contracts/reporting.ts';
import type { Client } from '../support/app.ts';

/**
 * Reading exported files back as their readers would, and what the JSON views say they must show: the Chinese
 * labels, figures with and without separators, the CSV sections, the board's nodes depth first.
 */

export const run = promisify(execFile);

export const categoryNames: Record<TotalLine['category'], string> = {
  mining_rock: '岩矿型稀土开采',
  mining_ion_adsorption: '离子型稀土开采',
  separation: '冶炼分离',
  separation_domestic: '冶炼分离（国内矿）',
  separation_imported: '冶炼分离（进口矿）',
  separation_monazite: '冶炼分离（独居石）',
};
export const grouped = (kg: number) => kg.toLocaleString('en-US');
export const percent = (ppm: number | null) => (ppm === null ? '' : `${(Math.round(ppm / 100) / 100).toFixed(2)}%`);
export const kgOf = (line: TotalLine) => [
  line.production_reo_kg,
  line.cumulative_reo_kg,
  line.allocated_reo_kg,
  line.remaining_reo_kg,
  line.flow_reo_kg,
  line.flow_cumulative_reo_kg,
];
/** A figure line as the table shows it: category, four kg figures, utilisation, two flow figures. */
export function shown(line: TotalLine, group: boolean, empty = ''): string[] {
  const kg = kgOf(line).map((value) => (group ? grouped(value) : String(value)));
  return [categoryNames[line.category], ...kg.slice(0, 4), percent(line.utilisation_ppm) || empty, ...kg.slice(4)];
}

export const statusNames: Record<string, string> = {
  not_due: '未到期',
  due: '待报送',
  late: '逾期',
  submitted: '已报送',
  returned: '已退回',
  compiled: '已汇总',
  forwarded: '已上报',
};

export function parseCsv(buffer: Buffer): string[][] {
  const options: Options = { bom: true, relax_column_count: true, skip_empty_lines: false };
  return parse(buffer, options);
}

/** The rows of the table whose header row starts with `header`, up to the first empty record. */
export function tableAfter(records: readonly string[][], header: string): string[][] {
  const start = records.findIndex((record) => record[0] === header);
  expect(start, `a table headed ${header}`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const record of records.slice(start + 1)) {
    if (record.every((cell) => cell === '')) break;
    rows.push(record);
  }
  return rows;
}

export function findRow(sheet: ExcelJS.Worksheet, first: string): number | undefined {
  for (let number = 1; number <= sheet.rowCount; number += 1)
    if (sheet.getRow(number).getCell(1).value === first) return number;
  return undefined;
}

/** Every node of the JSON board under a division, depth first as the export lists them. */
export async function boardNodes(
  client: Client,
  period: string,
  code: string,
  depth = 0,
): Promise<{ name: string; status: string; late: boolean; depth: number }[]> {
  const response = await client.get(`/api/v1/reporting/board?period=${period}&division_code=${code}`);
  expect(response.statusCode, response.body).toBe(200);
  const view = response.json<BoardView>();
  const nodes: { name: string; status: string; late: boolean; depth: number }[] = [
    { name: view.node.name, status: view.node.status, late: view.node.late, depth },
  ];
  for (const child of view.children)
    if (child.kind === 'division') nodes.push(...(await boardNodes(client, period, child.code, depth + 1)));
    else nodes.push({ name: child.name, status: child.status, late: child.late, depth: depth + 1 });
  return nodes;
}

/** Dark pixels of the PDF's first page at 50 dpi (a grey map from pdftoppm): a blank page has none. */
export async function inkedPixels(file: string): Promise<number> {
  const { stdout } = await run('pdftoppm', ['-gray', '-r', '50', '-f', '1', '-l', '1', file], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  const image = stdout as unknown as Buffer;
  // P5 header: magic, width, height, maxval, each followed by whitespace.
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(image.subarray(0, 64).toString('latin1'))!;
  const pixels = image.subarray(header[0].length);
  return pixels.filter((value) => value < 128).length;
}
