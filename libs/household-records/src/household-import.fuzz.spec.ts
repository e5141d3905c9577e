import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Workbook, type CellValue } from 'exceljs';
import fc from 'fast-check';
import { parseRuleSet } from '@rasoat/poverty-rules';
import { parse } from 'yaml';
import { readCsv, streamCsv, writeCsv } from './csv';
import { writeHouseholdFile } from './household-export';
import { parseHouseholdFile, type HouseholdFileInput, type ImportResult } from './household-import';
import { HOUSEHOLD_COLUMNS, type HouseholdRecordInput } from './household.schema';
import { writeXlsx } from './xlsx';

// Property-based fuzzing of household list imports: whatever bytes a village uploads, the import
// resolves (never rejects, never throws) with either the households or errors naming the row and,
// where one is at fault, the column. A failure prints fast-check's seed; re-run it with FUZZ_SEED.
const SEED = Number(process.env.FUZZ_SEED ?? 20250901);
const runs = (n: number) => Math.max(1, Math.round(n * Number(process.env.FUZZ_RUNS_FACTOR ?? 1)));
// Generous: the properties take a few seconds, more on a loaded CI machine.
jest.setTimeout(120_000);

const rules = parseRuleSet(
  parse(readFileSync(join(__dirname, '../../../config/poverty-rules/2022-2025.yaml'), 'utf8')),
  '2022-2025.yaml',
);
const HEADERS = HOUSEHOLD_COLUMNS.flatMap((c) => [c.headerVi, c.headerEn, ...c.aliases]);

const GOOD: HouseholdRecordInput[] = [
  {
    householdCode: 'H001',
    headName: 'Nguyễn Văn An',
    idNumber: '001090012345',
    address: 'Thôn Đông',
    memberCount: 4,
    area: 'rural',
    source: 'previous_poor',
    incomePerCapitaMonthly: 1_200_000,
    deprivations: ['latrine', 'telecom'],
  },
  {
    householdCode: 'H002',
    headName: 'Trần Thị Bình',
    address: 'Tổ 5, phường Bắc',
    memberCount: 3,
    area: 'urban',
    source: 'request',
    note: 'Đề nghị "rà soát"\ntheo Mẫu số 01',
  },
  {
    householdCode: 'H003',
    headName: 'Lê Văn Cường',
    memberCount: 1,
    area: 'rural',
    source: 'newly_arising',
    incomePerCapitaMonthly: 2_000_000,
    deprivations: [],
  },
];

/** Checks the contract of one import; returns whether it succeeded. */
function expectWellFormed(result: ImportResult, rowsInFile: number): boolean {
  if (result.ok) {
    expect(Array.isArray(result.households)).toBe(true);
    expect(result.households.length).toBeGreaterThan(0);
    // What is imported gets stored: PostgreSQL text cannot hold U+0000.
    if (JSON.stringify(result.households).includes('\\u0000'))
      throw new Error(`imported a NUL character: ${JSON.stringify(result.households)}`);
    return true;
  }
  expect(result.errors.length).toBeGreaterThan(0);
  for (const e of result.errors) {
    const problems = [
      Number.isInteger(e.row) && e.row >= 1 && e.row <= Math.max(1, rowsInFile + 1) ? null : `row ${e.row}`,
      e.column === undefined || (typeof e.column === 'string' && e.column.trim() !== '')
        ? null
        : `column ${JSON.stringify(e.column)}`,
      typeof e.message === 'string' && e.message.trim() !== '' ? null : 'empty message',
    ].filter((p) => p !== null);
    if (problems.length > 0)
      throw new Error(`badly located import error (${problems.join(', ')}): ${JSON.stringify(e)}`);
  }
  return false;
}

/** Never rejects: a rejection fails the property with the input that caused it. */
async function importFile(input: HouseholdFileInput): Promise<ImportResult> {
  try {
    return await parseHouseholdFile(input);
  } catch (e) {
    throw new Error(`parseHouseholdFile rejected: ${e instanceof Error ? e.stack : String(e)}`);
  }
}

/** Upper bound of rows a text can have (every line break a row). */
const lineCount = (content: Buffer | string) =>
  (typeof content === 'string' ? content : content.toString('latin1')).split(/\r\n|\r|\n/).length;

// ---------------------------------------------------------------------------------------------
// CSV

const cellText = fc.oneof(
  fc.constantFrom(
    ...HEADERS,
    'H1',
    'Nguyễn Văn An',
    '001090012345',
    '4',
    '0',
    '-3',
    '2,5',
    '1.500.000',
    '1 500 000 đ',
    'Nông thôn',
    'Thành thị',
    'Phát sinh mới',
    'Hộ nghèo năm trước',
    'latrine; telecom',
    'Không',
    'nutrition;;',
    "'=SUM(A1)",
    '=cmd|calc',
    '@x',
    '+1',
    '"',
    '""',
    '"a,b"',
    '"open',
    'x"y',
    '\t',
    ' ',
    '',
    '#N/A',
    'TRUE',
    '1e400',
    'NaN',
    'Ấp Đông',
    '\u0301',
    '\u200B',
    '\uFEFF',
    '\u0000',
    '😀',
    '\uD800',
  ),
  fc.string({ maxLength: 15 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.nat(5000).map((n) => 'x'.repeat(n)),
);
const separator = fc.constantFrom(',', ';', '\t', '\r\n', '\n', '\r', '"', ',"', '";', '\r\n\r\n');

/** CSV-shaped text: a header of known or odd names, then rows of cells and separators. */
const csvText = fc
  .tuple(
    fc.boolean(),
    fc.array(fc.oneof(fc.constantFrom(...HEADERS), cellText), { minLength: 0, maxLength: 12 }),
    fc.constantFrom(',', ';'),
    fc.array(fc.oneof({ weight: 3, arbitrary: cellText }, { weight: 2, arbitrary: separator }), { maxLength: 120 }),
    fc.constantFrom('\r\n', '\n', '\r'),
  )
  .map(
    ([bom, header, delimiter, body, eol]) => `${bom ? '\uFEFF' : ''}${header.join(delimiter)}${eol}${body.join('')}`,
  );

/** Bytes: UTF-8 text with invalid sequences spliced in (Windows-1258 "CSV", lone continuation bytes, overlongs). */
const csvBytes = fc
  .tuple(
    csvText,
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom(
          [0xff],
          [0xc3, 0x28],
          [0x80],
          [0xe0, 0x80, 0x80],
          [0xed, 0xa0, 0x80],
          [0xf4, 0x90, 0x80, 0x80],
          [0xd0, 0xcf, 0x11, 0xe0],
          [0x50, 0x4b, 0x03, 0x04],
          [0xef, 0xbb, 0xbf],
        ),
      ),
      { maxLength: 3 },
    ),
  )
  .map(([text, splices]) => {
    let bytes = Buffer.from(text, 'utf8');
    for (const [at, insert] of splices) {
      const offset = at % (bytes.length + 1);
      bytes = Buffer.concat([bytes.subarray(0, offset), Buffer.from(insert), bytes.subarray(offset)]);
    }
    return bytes;
  });

describe('household CSV import under fuzzing (resolves, errors name row and column)', () => {
  let goodCsv: string;
  beforeAll(async () => {
    goodCsv = (await writeHouseholdFile(GOOD, 'csv')).toString('utf8');
  });

  it('reads random CSV-shaped text, with and without the period’s indicators', async () => {
    await fc.assert(
      fc.asyncProperty(csvText, fc.boolean(), async (content, withIndicators) => {
        expectWellFormed(
          await importFile({
            format: 'csv',
            content,
            fileName: 'fuzz.csv',
            indicators: withIndicators ? rules.indicators : undefined,
          }),
          lineCount(content),
        );
      }),
      { seed: SEED, numRuns: runs(2000) },
    );
  });

  it('reads the same records whatever the size of the pieces it decodes at a time', () => {
    const outcome = (read: () => unknown) => {
      try {
        return { records: read() };
      } catch (e) {
        return { error: (e as Error).message };
      }
    };
    fc.assert(
      fc.property(fc.oneof(csvText, csvBytes), fc.integer({ min: 1, max: 9 }), (content, pieceLength) => {
        const whole = outcome(() => [...streamCsv(content, { pieceLength: 1 << 30 }).records]);
        expect(
          outcome(() => [...streamCsv(content, { pieceLength, delimiter: readCsv(content).delimiter }).records]),
        ).toEqual(whole);
      }),
      { seed: SEED, numRuns: runs(2000) },
    );
  });

  it('reads random bytes: invalid UTF-8, BOMs, ZIP and OLE signatures in a CSV', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          csvBytes,
          fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
        ),
        async (content) => {
          expectWellFormed(await importFile({ format: 'csv', content }), lineCount(content));
        },
      ),
      { seed: SEED, numRuns: runs(1500) },
    );
  });

  it('reads a valid export with cells replaced by any text (control characters, NUL, lone surrogates, RTL marks)', async () => {
    const rows = readCsv(goodCsv).records.map((r) => r.cells);
    const anyText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.string({ maxLength: 20 }),
      fc.constantFrom('\u0000', 'An\u0000', '\u0007', '\u202E', '\uD800', '\r', '\n', ' ', '=1+1'),
    );
    let imported = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), fc.nat(), anyText), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (edits, xlsx) => {
          const edited = rows.map((r) => [...r]);
          for (const [row, column, text] of edits) {
            const r = 1 + (row % (edited.length - 1));
            edited[r][column % edited[r].length] = text;
          }
          const content = xlsx
            ? await writeXlsx({ name: 'Hộ', columns: edited[0].map((header) => ({ header })), rows: edited.slice(1) })
            : writeCsv(edited);
          if (
            expectWellFormed(
              await importFile({ format: xlsx ? 'xlsx' : 'csv', content, indicators: rules.indicators }),
              edited.length + 2,
            )
          )
            imported++;
        },
      ),
      { seed: SEED, numRuns: runs(600) },
    );
    expect(imported).toBeGreaterThan(0);
  });

  it('reads edits of a valid export (cells changed, text inserted, truncated): some still import', async () => {
    let imported = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), fc.nat(40), fc.oneof(cellText, separator)), { maxLength: 3 }),
        async (edits) => {
          const content = edits.reduce((text, [at, cut, insert]) => {
            const offset = at % (text.length + 1);
            return text.slice(0, offset) + insert + text.slice(offset + (cut % 3 === 0 ? cut : 0));
          }, goodCsv);
          if (
            expectWellFormed(
              await importFile({ format: 'csv', content, indicators: rules.indicators }),
              lineCount(content),
            )
          )
            imported++;
        },
      ),
      { seed: SEED, numRuns: runs(800) },
    );
    expect(imported).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// XLSX

describe('household XLSX import under fuzzing (resolves, errors name row and column)', () => {
  let goodXlsx: Buffer;
  beforeAll(async () => {
    goodXlsx = await writeHouseholdFile(GOOD, 'xlsx');
  });

  it('reads a valid export back (the fuzzing starts from a good file)', async () => {
    const result = await importFile({ format: 'xlsx', content: goodXlsx, indicators: rules.indicators });
    expect(result.ok).toBe(true);
  });

  it('reads corrupted workbooks (flipped bytes, truncations, insertions) without rejecting', async () => {
    const corruption = fc.array(
      fc.tuple(
        fc.constantFrom('flip', 'truncate', 'insert', 'zero' as const),
        fc.nat(),
        fc.uint8Array({ minLength: 1, maxLength: 16 }),
      ),
      { minLength: 1, maxLength: 4 },
    );
    await fc.assert(
      fc.asyncProperty(corruption, async (edits) => {
        let bytes = Buffer.from(goodXlsx);
        for (const [kind, at, data] of edits) {
          const offset = at % bytes.length;
          if (kind === 'flip') bytes[offset] ^= data[0] || 1;
          else if (kind === 'truncate') bytes = bytes.subarray(0, Math.max(4, offset));
          else if (kind === 'insert')
            bytes = Buffer.concat([bytes.subarray(0, offset), Buffer.from(data), bytes.subarray(offset)]);
          else bytes.fill(0, offset, Math.min(bytes.length, offset + data.length));
        }
        expectWellFormed(await importFile({ format: 'xlsx', content: bytes, fileName: 'fuzz.xlsx' }), 10_000);
      }),
      { seed: SEED, numRuns: runs(400) },
    );
  });

  it('reads workbooks with random cells (numbers, dates, booleans, formulas, errors, rich text, hyperlinks), sheets and merges', async () => {
    const cell: fc.Arbitrary<CellValue> = fc.oneof(
      { weight: 3, arbitrary: cellText },
      {
        weight: 2,
        arbitrary: fc.oneof(fc.double(), fc.integer(), fc.constantFrom(1090012345, 79185000123, 1.5e6, -0)),
      },
      fc.boolean(),
      fc.date({ noInvalidDate: true }),
      fc.constant(null),
      fc.constantFrom('#N/A', '#REF!', '#DIV/0!').map((error) => ({ error }) as CellValue),
      fc
        .tuple(fc.string(), fc.option(fc.oneof(fc.integer(), fc.string()), { nil: undefined }))
        .map(([f, result]) => ({ formula: `LEN("${f.replace(/"/g, '')}")`, result }) as CellValue),
      fc
        .array(fc.string({ maxLength: 6 }), { maxLength: 3 })
        .map((runs) => ({ richText: runs.map((text) => ({ text })) }) as CellValue),
      fc.string({ maxLength: 10 }).map((text) => ({ text, hyperlink: 'https://example.gov.vn' }) as CellValue),
    );
    const sheet = fc.record({
      header: fc.array(fc.oneof(fc.constantFrom(...HEADERS), cellText), { maxLength: 11 }),
      rows: fc.array(fc.array(cell, { maxLength: 11 }), { maxLength: 12 }),
      gap: fc.nat(3),
      merge: fc.option(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(sheet, { maxLength: 2 }), async (sheets) => {
        const workbook = new Workbook();
        sheets.forEach((s, i) => {
          const ws = workbook.addWorksheet(`Sheet${i + 1}`);
          ws.addRow(s.header);
          for (let g = 0; g < s.gap; g++) ws.addRow([]);
          s.rows.forEach((row) => ws.addRow(row));
          if (s.merge) ws.mergeCells(s.merge[0] + 1, 1, s.merge[0] + 1, s.merge[1] + 1);
        });
        const content = Buffer.from((await workbook.xlsx.writeBuffer()) as ArrayBuffer);
        expectWellFormed(await importFile({ format: 'xlsx', content, indicators: rules.indicators }), 1 + 3 + 12);
      }),
      { seed: SEED, numRuns: runs(150) },
    );
  });

  it('reads XLSX-ish buffers (a ZIP signature and anything after it), text given as XLSX, and CSV given as XLSX', async () => {
    const xlsxish = fc.oneof(
      fc
        .uint8Array({ maxLength: 3000 })
        .map((a) => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from(a)])),
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      csvText,
    );
    await fc.assert(
      fc.asyncProperty(xlsxish, async (content) => {
        expectWellFormed(await importFile({ format: 'xlsx', content }), 10_000);
      }),
      { seed: SEED, numRuns: runs(300) },
    );
  });
});
