import { isUtf8 } from 'node:buffer';
import { bilingual } from './text';
import { UploadLimitError, type UploadLimits } from './upload-limits';

export type CsvDelimiter = ',' | ';';

/** One CSV record: `row` as a spreadsheet shows it (a quoted multi-line cell stays one row), `line` where it starts in the text. */
export interface CsvRecord {
  row: number;
  line: number;
  cells: string[];
}

/**
 * A CSV that cannot be read: `line` is the 1-based text line of the problem (named in the
 * message), `row` the record it belongs to as a spreadsheet would number it.
 */
export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
    readonly row: number = line,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

const BOM = '\uFEFF';

/**
 * Why content is not UTF-8, at the line of its first invalid byte: Excel's plain "CSV" saves
 * Vietnamese in the Windows-1258 code page, not UTF-8.
 */
function notUtf8(content: Buffer): CsvError {
  const lossy = new TextDecoder('utf-8').decode(content);
  const line = lossy.slice(0, lossy.indexOf('\uFFFD')).split('\n').length;
  return new CsvError(
    line,
    bilingual(
      `Tệp không phải UTF-8 (dòng ${line}); trong Excel hãy lưu bằng "CSV UTF-8"`,
      `The file is not UTF-8 (line ${line}); in Excel save it as "CSV UTF-8"`,
    ),
  );
}

/** `;` when the header line (outside quotes) has more semicolons than commas, else `,`. */
export function detectDelimiter(text: string): CsvDelimiter {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const char of text.startsWith(BOM) ? text.slice(1) : text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && char === ',') commas++;
    else if (!quoted && char === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

/** Limits a CSV reader enforces while reading (see `UploadLimits`). */
export type CsvLimits = Pick<UploadLimits, 'maxColumns' | 'maxCellLength'>;

/** Bytes decoded at a time: the reader holds about this much text besides what it keeps. */
const PIECE_LENGTH = 256 * 1024;

/**
 * Reads RFC 4180 CSV: quoted fields with doubled quotes and line breaks, records ended by CRLF, LF
 * or CR, a UTF-8 BOM ignored, the delimiter detected from the header line unless given. A line
 * break inside a quoted field becomes `\n`; blank lines are kept as records of one empty cell so
 * that row numbers match a spreadsheet's. Blanks around a quoted field are ignored; any other text
 * after a closing quote, and a quote left open, throw a `CsvError` naming the line. Holds every
 * record: for files of any size use `streamCsv`.
 */
export function readCsv(
  content: Buffer | string,
  options: { delimiter?: CsvDelimiter; limits?: CsvLimits } = {},
): { delimiter: CsvDelimiter; records: CsvRecord[] } {
  const { delimiter, records } = streamCsv(content, options);
  return { delimiter, records: [...records] };
}

/**
 * Reads CSV as `readCsv` does, one record at a time: the content is checked to be UTF-8 first
 * (a `CsvError` naming the line of the first invalid byte), then decoded piece by piece as the
 * records are asked for, so that a caller that stops early decodes no further and holds only
 * what it keeps. With `limits`, a non-empty field past `maxColumns` or longer than
 * `maxCellLength` throws an `UploadLimitError` naming its row and column; empty fields past
 * `maxColumns` are dropped. The delimiter is detected from the first 256 KB.
 */
export function streamCsv(
  content: Buffer | string,
  options: {
    delimiter?: CsvDelimiter;
    limits?: CsvLimits;
    /** Bytes (characters of a string) decoded at a time; tests make it small. */ pieceLength?: number;
  } = {},
): { delimiter: CsvDelimiter; records: Generator<CsvRecord> } {
  const pieces = utf8Pieces(content, options.pieceLength ?? PIECE_LENGTH);
  const first = pieces.next();
  const head = first.done === true ? '' : first.value;
  const delimiter = options.delimiter ?? detectDelimiter(head);
  return { delimiter, records: csvRecords(prepend(head, pieces), delimiter, options.limits) };
}

function* prepend(head: string, rest: Iterator<string>): Generator<string> {
  yield head;
  for (let piece = rest.next(); piece.done !== true; piece = rest.next()) yield piece.value;
}

/** The text of UTF-8 content in pieces, a leading BOM dropped; a `CsvError` when it is not UTF-8. */
function* utf8Pieces(content: Buffer | string, pieceLength: number): Generator<string> {
  if (typeof content === 'string') {
    const text = content.startsWith(BOM) ? content.slice(1) : content;
    for (let start = 0; start < text.length; start += pieceLength) yield text.slice(start, start + pieceLength);
    return;
  }
  if (!isUtf8(content)) throw notUtf8(content);
  const decoder = new TextDecoder('utf-8');
  for (let start = 0; start < content.length; start += pieceLength)
    yield decoder.decode(content.subarray(start, start + pieceLength), { stream: true });
  yield decoder.decode();
}

function* csvRecords(pieces: Iterable<string>, delimiter: CsvDelimiter, limits?: CsvLimits): Generator<CsvRecord> {
  const maxColumns = limits?.maxColumns ?? Infinity;
  const maxCellLength = limits?.maxCellLength ?? Infinity;
  let cells: string[] = [];
  let column = 0; // of the field being read, 0-based
  let row = 1;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  // The text read so far that is still needed, and the next character to read in it. An
  // unquoted field is text.slice(fieldStart, i); a quoted one is built in `quotedValue` from
  // slices between doubled quotes and line breaks (never character by character: a string grown
  // one character at a time costs tens of bytes per character until V8 flattens it).
  let text = '';
  let i = 0;
  let fieldStart = 0;
  let blankSoFar = true; // the unquoted field read so far is only blanks
  let quoted = false;
  let afterQuote = false; // the current field was quoted and its quote is closed
  let quotedValue = '';
  let segmentStart = 0;

  const endField = (value: string) => {
    if (value.length > maxCellLength) throw UploadLimitError.cellTooLong(row, column, value.length, maxCellLength);
    if (column < maxColumns) cells.push(value);
    else if (value.trim() !== '') throw UploadLimitError.tooManyColumns(row, column, maxColumns);
    column++;
    afterQuote = false;
    blankSoFar = true;
  };
  const endRecord = (): CsvRecord => {
    const record = { row, line: recordLine, cells };
    cells = [];
    column = 0;
    row++;
    return record;
  };

  const source = pieces[Symbol.iterator]();
  for (let piece = source.next(); ; piece = source.next()) {
    const final = piece.done === true;
    if (!final) {
      // Keep only what the field being read still needs, then the new piece.
      const keepFrom = Math.min(i, quoted ? segmentStart : afterQuote ? i : fieldStart);
      text = text.slice(keepFrom) + piece.value;
      i -= keepFrom;
      fieldStart -= keepFrom;
      segmentStart -= keepFrom;
      const length = quoted ? quotedValue.length + i - segmentStart : afterQuote ? 0 : i - fieldStart;
      if (length > maxCellLength) throw UploadLimitError.cellTooLong(row, column, length, maxCellLength);
    }
    for (; i < text.length; i++) {
      const char = text[i];
      // A line break or a quote means something else when the next character follows: wait for it.
      if (!final && i === text.length - 1 && (char === '\r' || (quoted && char === '"'))) break;
      if (quoted) {
        if (char === '"') {
          if (text[i + 1] === '"') {
            quotedValue += text.slice(segmentStart, i + 1);
            i++;
            segmentStart = i + 1;
          } else {
            quotedValue += text.slice(segmentStart, i);
            quoted = false;
            afterQuote = true;
          }
        } else if (char === '\r' || char === '\n') {
          quotedValue += text.slice(segmentStart, i) + '\n';
          if (char === '\r' && text[i + 1] === '\n') i++;
          segmentStart = i + 1;
          line++;
        }
      } else if (char === delimiter || char === '\r' || char === '\n') {
        endField(afterQuote ? quotedValue : text.slice(fieldStart, i));
        if (char !== delimiter) {
          if (char === '\r' && text[i + 1] === '\n') i++;
          yield endRecord();
          line++;
          recordLine = line;
        }
        fieldStart = i + 1;
      } else if (afterQuote) {
        if (char !== ' ' && char !== '\t') {
          throw new CsvError(
            line,
            bilingual(
              `Dòng ${line}: có ký tự "${char}" sau dấu ngoặc kép đóng`,
              `Line ${line}: unexpected "${char}" after a closing quote`,
            ),
            row,
          );
        }
      } else if (char === '"' && blankSoFar) {
        quoted = true;
        quotedValue = '';
        segmentStart = i + 1;
        quoteLine = line;
      } else if (blankSoFar && !/\s/.test(char)) {
        blankSoFar = false;
      }
    }
    if (final) break;
  }
  if (quoted) {
    throw new CsvError(
      quoteLine,
      bilingual(`Dòng ${quoteLine}: dấu ngoặc kép mở nhưng không đóng`, `Line ${quoteLine}: unterminated quoted field`),
      row,
    );
  }
  if (fieldStart < text.length || cells.length > 0 || column > 0 || afterQuote) {
    endField(afterQuote ? quotedValue : text.slice(fieldStart));
    yield endRecord();
  }
}

/**
 * Writes RFC 4180 CSV: fields with the delimiter, a quote or a line break are quoted (quotes
 * doubled), records end with CRLF, and a UTF-8 BOM leads so that Excel shows Vietnamese.
 */
export function writeCsv(
  rows: readonly (readonly string[])[],
  options: { delimiter?: CsvDelimiter; bom?: boolean } = {},
): string {
  const delimiter = options.delimiter ?? ',';
  const escape = (value: string) =>
    value.includes(delimiter) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  const body = rows.map((row) => row.map(escape).join(delimiter) + '\r\n').join('');
  return (options.bom ?? true) ? BOM + body : body;
}
