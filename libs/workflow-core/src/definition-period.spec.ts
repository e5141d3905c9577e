import { readFileSync } from 'fs';
import { join } from 'path';
import { amendedMarkings, isFieldMarkingAmendment } from './definition-amendment';
import { loadDefinitionYaml } from './definition-loader';
import { loadDefinitionDocument } from './definition-overlay';
import { effectivePeriodPosition } from './definition-period';
import { validateDefinition } from './definition-validator';
import type { Definition } from './definition.schema';

const FILE = join(__dirname, '../../../workflows/national/2022-2025/periodic-review.yaml');
const TEXT = readFileSync(FILE, 'utf8');

function load(text: string) {
  const loaded = loadDefinitionYaml(text, 'review.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded;
}
const withHeader = (lines: string) => TEXT.replace('version: 1\n', `version: 1\n${lines}`);
/** The line of the first header line `withHeader` inserts. */
const INSERTED = TEXT.split('\n').indexOf('version: 1') + 2;

describe('effective period of a version (effectiveFrom, effectiveTo)', () => {
  it('places a campaign start before, in or after the period, both ends included', () => {
    const period = { effectiveFrom: '2021-09-01', effectiveTo: '2025-06-30' };
    expect(effectivePeriodPosition(period, '2021-08-31')).toBe('before');
    expect(effectivePeriodPosition(period, '2021-09-01')).toBe('in');
    expect(effectivePeriodPosition(period, '2025-06-30')).toBe('in');
    expect(effectivePeriodPosition(period, '2025-07-01')).toBe('after');
    expect(effectivePeriodPosition({}, '1999-01-01')).toBe('in');
    expect(effectivePeriodPosition({ effectiveFrom: null, effectiveTo: '2025-06-30' }, '2026-09-01')).toBe('after');
  });

  it('validates: a civil date, not before effectiveFrom, and a dated window inside the period', () => {
    const schema = loadDefinitionYaml(withHeader('effectiveTo: 30/06/2025\n'), 'review.yaml');
    expect(schema.ok).toBe(false);
    expect(!schema.ok && schema.errors).toEqual([
      expect.objectContaining({ line: INSERTED, path: '$.effectiveTo', message: 'must be a civil date YYYY-MM-DD' }),
    ]);

    const ok = load(withHeader('effectiveFrom: 2021-09-01\neffectiveTo: 2025-06-30\n'));
    expect(validateDefinition(ok.value, ok.source)).toEqual([]);
    const sameDay = load(withHeader('effectiveFrom: 2025-06-30\neffectiveTo: 2025-06-30\n'));
    expect(validateDefinition(sameDay.value, sameDay.source)).toEqual([]);

    const reversed = load(withHeader('effectiveFrom: 2025-07-01\neffectiveTo: 2025-06-30\n'));
    expect(validateDefinition(reversed.value, reversed.source)).toEqual([
      {
        file: 'review.yaml',
        line: INSERTED + 1,
        col: 1,
        path: '$.effectiveTo',
        message: 'the version would end (2025-06-30) before it takes effect (effectiveFrom 2025-07-01)',
      },
    ]);

    const late = load(withHeader('effectiveTo: 2025-06-30\nwindow: { start: 2025-09-01, end: 2025-12-14 }\n'));
    expect(validateDefinition(late.value, late.source)).toEqual([
      expect.objectContaining({
        path: '$.window.start',
        message: 'the window starts (2025-09-01) after the last day of the version (effectiveTo 2025-06-30)',
      }),
    ]);
    const early = load(withHeader('effectiveFrom: 2025-07-01\nwindow: { start: 2024-09-01, end: 2024-12-14 }\n'));
    expect(validateDefinition(early.value, early.source)).toEqual([
      expect.objectContaining({
        path: '$.window.start',
        message: 'the window starts (2024-09-01) before the version takes effect (effectiveFrom 2025-07-01)',
      }),
    ]);
    // A recurring window has no year to compare.
    const recurring = load(withHeader('effectiveTo: 2025-06-30\nwindow: { start: 09-01, end: 12-14 }\n'));
    expect(validateDefinition(recurring.value, recurring.source)).toEqual([]);
  });

  it('is not inherited by an overlay: an end date added to a published base leaves the overlays on it unchanged', () => {
    const base = load(withHeader('effectiveTo: 2025-06-30\n'));
    const resolve = () => ({ definition: base.value, source: base.source });
    const overlay = (header: string) =>
      `extends: periodic-review@1\nid: t9-review\nversion: 1\nprovince: T9\n${header}patch:\n  parameters:\n    postingWorkingDays: { value: 4 }\n`;

    const plain = loadDefinitionDocument(overlay(''), 't9.yaml', resolve);
    expect(plain.ok && plain.value.effectiveTo).toBeUndefined();
    const own = loadDefinitionDocument(overlay('effectiveTo: 2024-12-31\n'), 't9.yaml', resolve);
    expect(own.ok && own.value.effectiveTo).toBe('2024-12-31');
    // Its own effectiveFrom is inherited as before.
    const from = load(withHeader('effectiveFrom: 2021-09-01\n'));
    const inherited = loadDefinitionDocument(overlay(''), 't9.yaml', () => ({
      definition: from.value,
      source: from.source,
    }));
    expect(inherited.ok && inherited.value.effectiveFrom).toBe('2021-09-01');

    const bad = loadDefinitionDocument(overlay('effectiveTo: 2025-6-30\n'), 't9.yaml', resolve);
    expect(!bad.ok && bad.errors).toEqual([
      expect.objectContaining({
        file: 't9.yaml',
        line: 5,
        path: '$.effectiveTo',
        message: 'must be a civil date YYYY-MM-DD',
      }),
    ]);
  });

  it('is amendable in place on a published version, alone or with field markings; nothing else is', () => {
    const published = load(TEXT).value;
    const change = (edit: (d: Definition) => void) => {
      const next = structuredClone(published);
      edit(next);
      return next;
    };
    const ended = change((d) => (d.effectiveTo = '2025-06-30'));
    expect(isFieldMarkingAmendment(published, ended)).toBe(true);
    expect(amendedMarkings(published, ended)).toEqual(['effectiveTo']);
    // Moved or taken away again: still only a marking.
    expect(
      isFieldMarkingAmendment(
        ended,
        change((d) => (d.effectiveTo = '2025-12-31')),
      ),
    ).toBe(true);
    expect(isFieldMarkingAmendment(ended, published)).toBe(true);

    const both = change((d) => {
      d.effectiveTo = '2025-06-30';
      Object.assign(d.events.MEETING_HELD.fields.attendees, { max: 5000 });
    });
    expect(isFieldMarkingAmendment(published, both)).toBe(true);
    expect(amendedMarkings(published, both)).toEqual(['effectiveTo', 'max']);

    expect(
      isFieldMarkingAmendment(
        published,
        change((d) => (d.effectiveFrom = '2021-09-01')),
      ),
    ).toBe(false);
    expect(
      isFieldMarkingAmendment(
        published,
        change((d) => {
          d.effectiveTo = '2025-06-30';
          d.steps.listing.stage = 9;
        }),
      ),
    ).toBe(false);
  });
});
