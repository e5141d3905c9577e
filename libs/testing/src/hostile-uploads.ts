import { randomBytes } from 'node:crypto';
import { constants, crc32, deflateRawSync } from 'node:zlib';

/**
 * Files a hostile or careless user could upload, built in memory in milliseconds: a ZIP writer
 * whose entries may lie about their size, an XLSX "bomb" whose worksheet inflates to millions of
 * rows, and a large CSV of valid-looking household rows. Used by test/upload-limits.e2e-spec.ts.
 */

/** One ZIP entry: its bytes, given whole or as a deflate stream made of repeated blocks. */
export interface ZipEntry {
  name: string;
  /** Stored as is (method 0) unless `deflate`; ignored when `repeated` is given. */
  data?: Buffer;
  deflate?: boolean;
  /**
   * `prefix`, then `body` `times` times, then `suffix`, deflated without holding the whole text:
   * each part is compressed once with a full flush (which resets the dictionary), so repeating
   * the body's compressed bytes is a valid deflate stream of the repeated text.
   */
  repeated?: { prefix: string; body: string; times: number; suffix: string };
  /** Uncompressed size written in the headers, when it should lie. */
  declaredSize?: number;
}

/** A ZIP archive (no ZIP64, no data descriptors) of `entries`, in order. */
export function zipArchive(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const { method, compressed, size, crc } = entryBytes(entry);
    const declared = entry.declaredSize ?? size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0x21, 10); // 1980-01-01 00:00
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(declared, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4); // version made by
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt32LE(0x21, 12);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(compressed.length, 20);
    header.writeUInt32LE(declared, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    central.push(header, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function entryBytes(entry: ZipEntry): { method: number; compressed: Buffer; size: number; crc: number } {
  if (entry.repeated) {
    const { prefix, body, times, suffix } = entry.repeated;
    const flush = { level: 9, finishFlush: constants.Z_FULL_FLUSH };
    const bodyBytes = Buffer.from(body, 'utf8');
    const head = deflateRawSync(Buffer.from(prefix, 'utf8'), flush);
    const middle = deflateRawSync(bodyBytes, flush);
    const tail = deflateRawSync(Buffer.from(suffix, 'utf8'), { level: 9 });
    let crc = crc32(prefix);
    for (let i = 0; i < times; i++) crc = crc32(bodyBytes, crc);
    crc = crc32(suffix, crc);
    const size = Buffer.byteLength(prefix) + bodyBytes.length * times + Buffer.byteLength(suffix);
    return { method: 8, compressed: Buffer.concat([head, ...Array<Buffer>(times).fill(middle), tail]), size, crc };
  }
  const data = entry.data ?? Buffer.alloc(0);
  return {
    method: entry.deflate ? 8 : 0,
    compressed: entry.deflate ? deflateRawSync(data) : data,
    size: data.length,
    crc: crc32(data),
  };
}

/** The household headers, as the import reads them. */
export const HOUSEHOLD_HEADERS = [
  'Mã hộ',
  'Họ và tên chủ hộ',
  'Số CCCD/định danh',
  'Địa chỉ',
  'Số nhân khẩu',
  'Khu vực',
  'Nguồn',
  'Thu nhập bình quân (đồng/người/tháng)',
  'Các chỉ số thiếu hụt',
  'Ghi chú',
];

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** The parts of a one-sheet workbook around its worksheet (shared strings: `strings`). */
function workbookParts(strings: readonly string[]): ZipEntry[] {
  const xml = (text: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${text}`, 'utf8');
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return [
    {
      name: '[Content_Types].xml',
      deflate: true,
      data: xml(
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
          '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
      ),
    },
    {
      name: '_rels/.rels',
      deflate: true,
      data: xml(
        `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      ),
    },
    {
      name: 'xl/workbook.xml',
      deflate: true,
      data: xml(
        `<workbook xmlns="${NS}" xmlns:r="${REL_NS}"><sheets><sheet name="Danh sách hộ" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      deflate: true,
      data: xml(
        `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
      ),
    },
    {
      name: 'xl/sharedStrings.xml',
      deflate: true,
      data: xml(
        `<sst xmlns="${NS}" count="${strings.length}" uniqueCount="${strings.length}">${strings.map((s) => `<si><t>${escape(s)}</t></si>`).join('')}</sst>`,
      ),
    },
  ];
}

/**
 * An XLSX whose only worksheet has the household header and then `rows` identical rows of the
 * first `cellsPerRow` household values (rows and cells without `r`, which the format allows, so
 * that deflate repeats them for almost nothing): 4,000,000 rows of 2 cells are a file of about
 * 0.7 MB whose worksheet inflates to about 230 MB. `declaredSize` makes the worksheet entry lie
 * about its inflated size.
 */
export function xlsxBomb(options: { rows: number; cellsPerRow?: number; declaredSize?: number }): Buffer {
  const values = [
    'H1',
    'Nguyễn Văn An',
    '001090012345',
    'Thôn Đông',
    '4',
    'Nông thôn',
    'Hộ nghèo năm trước',
    '1500000',
    'Không',
    'Ghi chú',
  ];
  const strings = [...HOUSEHOLD_HEADERS, ...values];
  const row = (first: number, cells: number) =>
    `<row>${values
      .slice(0, cells)
      .map((_, i) => `<c t="s"><v>${first + i}</v></c>`)
      .join('')}</row>`;
  const rowsPerBlock = 1_000;
  const blocks = Math.ceil(options.rows / rowsPerBlock);
  return zipArchive([
    ...workbookParts(strings),
    {
      name: 'xl/worksheets/sheet1.xml',
      declaredSize: options.declaredSize,
      repeated: {
        prefix: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${NS}"><sheetData>${row(0, values.length)}`,
        body: row(HOUSEHOLD_HEADERS.length, options.cellsPerRow ?? 2).repeat(rowsPerBlock),
        times: blocks,
        suffix: '</sheetData></worksheet>',
      },
    },
  ]);
}

/**
 * An XLSX within the default limits whose shared strings are as costly to hold as they can be:
 * about 1,000,000 distinct strings of 20 letters (two-byte strings for V8: `ệ` is one of them),
 * which inflate to about 46 MB (under the 50 MB budget) from about 8 MB (under the 10 MB body
 * limit, and the ratio under 100); the worksheet has the header and one row pointing at string 0.
 */
export function xlsxSharedStringsFlood(strings = 1_000_000): Buffer {
  const letters = ['a', 'ệ', 'n', 'g'];
  const random = randomBytes(strings * 20);
  const table: string[] = [];
  for (let i = 0; i < strings; i++) {
    let text = '';
    for (let j = 0; j < 20; j++) text += letters[random[i * 20 + j] & 3];
    table.push(text);
  }
  const parts = workbookParts(table).filter((part) => part.name !== '[Content_Types].xml');
  const header = HOUSEHOLD_HEADERS.map((text) => `<c t="inlineStr"><is><t>${text}</t></is></c>`).join('');
  const sheet = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${NS}"><sheetData><row r="1">${header}</row><row r="2"><c t="s"><v>0</v></c></row></sheetData></worksheet>`;
  return zipArchive([...parts, { name: 'xl/worksheets/sheet1.xml', deflate: true, data: Buffer.from(sheet, 'utf8') }]);
}

/** A UTF-8 CSV of the household header and valid-looking rows (distinct codes), of at least `bytes` bytes. */
export function householdCsv(bytes: number): Buffer {
  const lines = [HOUSEHOLD_HEADERS.join(',')];
  let size = lines[0].length;
  for (let i = 1; size < bytes; i++) {
    const line = `H${i},Nguyễn Văn An ${i},001090012345,Thôn Đông,4,Nông thôn,Hộ nghèo năm trước,1.500.000,Không,`;
    lines.push(line);
    size += Buffer.byteLength(line) + 2;
  }
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
