import { UploadLimitError } from './upload-limits';
import { XmlRunGuard } from './xlsx-package';

/** Feeds `xml` to a guard in pieces of `size` characters. */
function check(xml: string, size: number, maxRun = 40): void {
  const guard = new XmlRunGuard('xl/sharedStrings.xml', maxRun);
  for (let start = 0; start < xml.length; start += size) guard.check(xml.slice(start, start + size));
}

const everySize = (xml: string) => Array.from({ length: xml.length }, (_, i) => i + 1);

describe('XmlRunGuard', () => {
  const LEGIT =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!-- a comment with < and > inside --><sst count="2"><si><t xml:space="preserve"> Nguyễn &amp; Văn </t></si>' +
    '<si><t><![CDATA[a <b> c]]></t></si><si a="x>y" b="z"><t>ok</t></si><?mso-application progid="Excel.Sheet"?></sst>';

  it('lets well-formed XML of short runs through, cut into pieces of any size', () => {
    for (const size of everySize(LEGIT)) expect(() => check(LEGIT, size, 60)).not.toThrow();
  });

  it.each([
    ['a text node', `<si><t>${'ệ'.repeat(41)}</t></si>`],
    ['a comment with "<" and ">" inside', `<si><!--${'<a> '.repeat(11)}--></si>`],
    ['a CDATA section', `<t><![CDATA[${'<'.repeat(41)}]]></t>`],
    ['a processing instruction', `<?pi ${'<'.repeat(41)}?>`],
    [
      'a tag of many attributes, some holding ">"',
      `<c ${Array.from({ length: 20 }, (_, i) => `a${i}=">"`).join(' ')}/>`,
    ],
  ])('refuses %s longer than the limit, whatever the pieces', (_name, xml) => {
    for (const size of everySize(xml)) {
      let thrown: unknown;
      try {
        check(xml, size);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(UploadLimitError);
      expect((thrown as UploadLimitError).exceeded).toMatchObject({
        code: 'UPLOAD_CELL_TOO_LONG',
        unit: 'characters',
        limit: 40,
        part: 'xl/sharedStrings.xml',
      });
    }
  });

  it('refuses a document type declaration, even split between pieces', () => {
    const xml = '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaa">]><sst>&a;</sst>';
    for (const size of everySize(xml))
      expect(() => check(xml, size)).toThrow('part xl/sharedStrings.xml has a document type declaration');
  });
});
