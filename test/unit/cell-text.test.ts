import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORMULA_TRIGGERS, neutraliseFormula, startsLikeFormula } from '../../src/server/shared/cell-text.rules.ts';
import { figure, writeCsv, xlsxValue } from '../../src/server/shared/tabular.ts';

/** Texts that often begin with a trigger, and any text at all. */
const hostile = fc.oneof(
  fc.tuple(fc.constantFrom(...FORMULA_TRIGGERS), fc.string()).map(([first, rest]) => first + rest),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
);

describe('neutralising formulas in exported cells (OWASP CSV injection)', () => {
  it('no text comes out beginning with = + - @ tab or carriage return', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const out = neutraliseFormula(text);
        expect(startsLikeFormula(out)).toBe(false);
        expect(FORMULA_TRIGGERS).not.toContain(out[0]);
      }),
      { numRuns: 2000 },
    );
  });

  it('stripping the added quote gives back the input, and nothing else is changed', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const out = neutraliseFormula(text);
        if (startsLikeFormula(text)) expect(out).toBe(`'${text}`);
        else expect(out).toBe(text);
        expect(out.endsWith(text)).toBe(true);
        expect(out.length - text.length).toBe(startsLikeFormula(text) ? 1 : 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('names the six triggers and leaves a text that merely contains one alone', () => {
    expect(FORMULA_TRIGGERS).toEqual(['=', '+', '-', '@', '\t', '\r']);
    expect(neutraliseFormula('=HYPERLINK("http://x")')).toBe(`'=HYPERLINK("http://x")`);
    expect(neutraliseFormula('\r=1+1')).toBe("'\r=1+1");
    expect(neutraliseFormula('a=1+1')).toBe('a=1+1');
    expect(neutraliseFormula('')).toBe('');
  });

  it('writes texts neutralised and numbers as numbers, read back by a CSV parser', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(hostile, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), {
          minLength: 1,
          maxLength: 8,
        }),
        (cells) => {
          const records: string[][] = parse(writeCsv([cells], { bom: true, recordDelimiter: 'windows' }), {
            bom: true,
            relax_column_count: true,
          });
          const [record] = records;
          cells.forEach((cell, index) => {
            const read = record![index] ?? '';
            if (typeof cell === 'number') expect(Number(read)).toBe(cell === 0 ? 0 : cell);
            else expect(read).toBe(neutraliseFormula(cell));
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps a negative figure a number, and the server’s own formatted figures as they are', () => {
    const csv = writeCsv([['=1+1', -5, figure(-12_500, (ppm) => `${(ppm / 10_000).toFixed(2)}%`), null]]);
    expect(csv).toBe("'=1+1,-5,-1.25%,\n");
    expect(xlsxValue('-x')).toBe("'-x");
    expect(xlsxValue(-5)).toBe(-5);
    expect(xlsxValue(null)).toBeNull();
  });

  it('is the only CSV writer: no other source file imports csv-stringify', async () => {
    const files = await sourceFiles('src');
    const writers: string[] = [];
    for (const file of files) if ((await readFile(file, 'utf8')).includes("from 'csv-stringify")) writers.push(file);
    expect(writers).toEqual([join('src', 'server', 'shared', 'tabular.ts')]);
  });
});

async function sourceFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return Promise.resolve(/\.tsx?$/.test(entry.name) ? [path] : []);
    }),
  );
  return nested.flat();
}
