import { StringDecoder } from 'node:string_decoder';
import { createInflateRaw } from 'node:zlib';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { fromBuffer, type Entry, type ZipFile } from 'yauzl';
import { EXPANSION_RATIO_FLOOR, UploadLimitError, type UploadLimits } from './upload-limits';

/** Entries an XLSX may list; Excel writes a few dozen, a few hundred with pictures. */
const MAX_ENTRIES = 10_000;
/** Text handed to the XML parser at once when a part is stored without compression. */
const STORED_SLICE = 64 * 1024;
/** Characters of XML one character of a cell may take: `&amp;` is five, `_x0001_` seven. */
const MARKUP_PER_CHARACTER = 8;

/** What a part's XML reader is told, element by element (names without their namespace prefix). */
export interface XmlHandler {
  open?(name: string, attributes: Record<string, string>): void;
  text?(text: string): void;
  close?(name: string): void;
}

/**
 * The parts of an XLSX (a ZIP archive) held in a Buffer, read as streams of XML events. The
 * central directory is read with yauzl; a part is inflated with a zlib stream straight into a
 * SAX parser, so that nothing grows with the size of the part. Every part read counts against
 * one budget of inflated bytes (`maxExpandedBytes`): a part is refused before inflating when its
 * declared size does not fit the budget or is more than `maxExpansionRatio` times its compressed
 * size, and the inflating stops at the first byte past its declared size, since the declared
 * size of a hostile file may lie. A handler that throws (a row limit, say) stops the reading.
 */
export class XlsxPackage {
  private budget: number;

  private constructor(
    private readonly content: Buffer,
    private readonly zip: ZipFile,
    private readonly entries: ReadonlyMap<string, Entry>,
    private readonly limits: Pick<UploadLimits, 'maxExpandedBytes' | 'maxExpansionRatio' | 'maxCellLength'>,
  ) {
    this.budget = limits.maxExpandedBytes;
  }

  /** Reads the central directory; rejects when it is not a ZIP archive or lists more than 10,000 entries. */
  static async open(
    content: Buffer,
    limits: Pick<UploadLimits, 'maxExpandedBytes' | 'maxExpansionRatio' | 'maxCellLength'>,
  ): Promise<XlsxPackage> {
    const zip = await new Promise<ZipFile>((resolve, reject) =>
      fromBuffer(content, { lazyEntries: true }, (error, opened) => (error ? reject(error) : resolve(opened))),
    );
    const entries = await new Promise<Map<string, Entry>>((resolve, reject) => {
      const found = new Map<string, Entry>();
      zip.on('entry', (entry: Entry) => {
        if (found.size >= MAX_ENTRIES) return reject(new Error(`more than ${MAX_ENTRIES} entries in the ZIP archive`));
        found.set(entry.fileName, entry);
        zip.readEntry();
      });
      zip.once('end', () => resolve(found));
      zip.once('error', reject);
      zip.readEntry();
    });
    return new XlsxPackage(content, zip, entries, limits);
  }

  /** The size `part` declares once inflated (what reading it may inflate at most), or 0 when there is no such part. */
  declaredSize(part: string): number {
    return this.entries.get(part)?.uncompressedSize ?? 0;
  }

  /** Streams `part`'s XML to `handler`; false when the archive has no such part. */
  async readXml(part: string, handler: XmlHandler): Promise<boolean> {
    const entry = this.entries.get(part);
    if (entry === undefined) return false;
    const parser = xmlReader(handler, { part, maxRun: MARKUP_PER_CHARACTER * this.limits.maxCellLength });
    await this.inflate(part, entry, (text) => parser.write(text));
    parser.close();
    return true;
  }

  private async inflate(part: string, entry: Entry, onText: (text: string) => void): Promise<void> {
    const declared = entry.uncompressedSize;
    if (declared > this.budget)
      throw UploadLimitError.expandsTooMuch(part, declared, this.limits.maxExpandedBytes, false);
    if (declared > EXPANSION_RATIO_FLOOR && declared > this.limits.maxExpansionRatio * entry.compressedSize) {
      throw UploadLimitError.expansionRatio(part, entry.compressedSize, declared, this.limits.maxExpansionRatio, false);
    }
    if (entry.isEncrypted()) throw new Error(`part ${part} is encrypted`);
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
      throw new Error(
        `part ${part} uses compression method ${entry.compressionMethod} (only stored and deflated parts are read)`,
      );
    const { fileDataStart } = await this.zip.readLocalFileHeaderPromise(entry, { minimal: true });
    if (fileDataStart + entry.compressedSize > this.content.length)
      throw new Error(`part ${part} runs past the end of the file`);
    const compressed = this.content.subarray(fileDataStart, fileDataStart + entry.compressedSize);
    this.budget -= declared;
    const decoder = new StringDecoder('utf8');
    if (entry.compressionMethod === 0) {
      if (compressed.length !== declared)
        throw new Error(`stored part ${part} is ${compressed.length} bytes but declares ${declared}`);
      for (let start = 0; start < compressed.length; start += STORED_SLICE)
        onText(decoder.write(compressed.subarray(start, start + STORED_SLICE)));
      onText(decoder.end());
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const inflater = createInflateRaw();
      let inflated = 0;
      let stopped = false;
      const stop = (error: unknown) => {
        if (stopped) return;
        stopped = true;
        inflater.destroy();
        reject(error);
      };
      inflater.on('data', (chunk: Buffer) => {
        if (stopped) return;
        inflated += chunk.length;
        if (inflated > declared) return stop(UploadLimitError.beyondDeclaredSize(part, declared));
        try {
          onText(decoder.write(chunk));
        } catch (error) {
          stop(error);
        }
      });
      inflater.on('end', () => {
        if (stopped) return;
        try {
          onText(decoder.end());
          resolve();
        } catch (error) {
          stop(error);
        }
      });
      inflater.on('error', (error: Error) => stop(new Error(`part ${part}: ${error.message}`)));
      inflater.end(compressed);
    });
  }
}

/**
 * A SAX parser that hands `handler` the XML written to it, element names without their
 * namespace prefix; it throws at the first malformed character, and whatever the handler throws.
 * The parser holds a whole text node, tag, comment or processing instruction before handing it
 * over: `bounds.maxRun` bounds each (`XmlRunGuard`), so memory does not grow with a hostile part.
 */
export function xmlReader(
  handler: XmlHandler,
  bounds: { part: string; maxRun: number },
): { write(text: string): void; close(): void } {
  const parser = new SaxesParser({ position: false, xmlns: false });
  const guard = new XmlRunGuard(bounds.part, bounds.maxRun);
  const local = (name: string) => name.slice(name.indexOf(':') + 1);
  if (handler.open) {
    const open = handler.open.bind(handler);
    parser.on('opentag', (tag: SaxesTagPlain) => open(local(tag.name), tag.attributes));
  }
  if (handler.text) {
    const text = handler.text.bind(handler);
    parser.on('text', text);
    parser.on('cdata', text);
  }
  if (handler.close) {
    const close = handler.close.bind(handler);
    parser.on('closetag', (tag: SaxesTagPlain) => close(local(tag.name)));
  }
  return {
    write: (text) => {
      guard.check(text);
      parser.write(text);
    },
    close: () => void parser.close(),
  };
}

/** What the text after a `<` opens, and the text that ends it. */
const MARKUP_ENDS = { tag: '>', comment: '-->', cdata: ']]>', instruction: '?>' } as const;

/**
 * Measures XML on its way to the parser: no text node (up to the next `<`), tag, comment, CDATA
 * section or processing instruction may be longer than `maxRun` characters, and a document type
 * declaration (never in a spreadsheet part; the way to entity expansion) is refused. A `>` inside
 * an attribute value ends a tag early here, but what follows it has no `<` before the real end of
 * the tag, so it is counted as text: a tag is still bounded by twice `maxRun`.
 */
export class XmlRunGuard {
  private state: 'text' | 'open' | keyof typeof MARKUP_ENDS = 'text';
  private run = 0;
  /** Text held back: the start of markup not yet recognised, or of an end split between two pieces. */
  private held = '';

  constructor(
    private readonly part: string,
    private readonly maxRun: number,
  ) {}

  check(piece: string): void {
    const text = this.held + piece;
    this.held = '';
    let i = 0;
    while (i < text.length) {
      if (this.state === 'text') {
        const at = text.indexOf('<', i);
        this.grow((at === -1 ? text.length : at) - i);
        if (at === -1) return;
        this.state = 'open';
        this.run = 0;
        i = at + 1;
      } else if (this.state === 'open') {
        const head = text.slice(i, i + 8);
        if (head.startsWith('!--')) [this.state, i] = ['comment', i + 3];
        else if (head.startsWith('![CDATA[')) [this.state, i] = ['cdata', i + 8];
        else if (head.startsWith('!') && head.length < 8 && ('![CDATA['.startsWith(head) || '!--'.startsWith(head)))
          return void (this.held = text.slice(i));
        else if (head.startsWith('!'))
          throw new Error(
            `part ${this.part} has a document type declaration or markup spreadsheets do not have ("<${head}")`,
          );
        else if (head.startsWith('?')) [this.state, i] = ['instruction', i + 1];
        else this.state = 'tag';
      } else {
        const end = MARKUP_ENDS[this.state];
        const at = text.indexOf(end, i);
        if (at === -1) {
          // The end may begin in the last characters: hold them back for the next piece.
          const keep = Math.min(end.length - 1, text.length - i);
          this.grow(text.length - keep - i);
          this.held = text.slice(text.length - keep);
          return;
        }
        this.grow(at - i);
        this.state = 'text';
        this.run = 0;
        i = at + end.length;
      }
    }
  }

  private grow(characters: number): void {
    this.run += characters;
    if (this.run > this.maxRun) throw UploadLimitError.markupTooLong(this.part, this.maxRun);
  }
}
