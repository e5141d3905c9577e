import { readFileSync } from 'fs';
import { join } from 'path';
import { diffDefinitions, unifiedDiff } from './definition-diff';
import { loadDefinitionDocument } from './definition-overlay';

const NATIONAL = readFileSync(join(__dirname, '../../../workflows/national/2022-2025/periodic-review.yaml'), 'utf8');

function load(text: string) {
  const loaded = loadDefinitionDocument(text, 'x.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.value;
}

describe('diffDefinitions', () => {
  it('lists changed parameters with their values, and added, removed and changed steps', () => {
    const changed = NATIONAL.replace('version: 1', 'version: 2')
      .replace(/postingWorkingDays:\n    value: 3/, 'postingWorkingDays:\n    value: 5')
      .replace('reminders: [{ workingDaysBefore: 20 }]', 'reminders: [{ workingDaysBefore: 25 }]');
    const diff = diffDefinitions(load(NATIONAL), load(changed));
    expect(diff.parameters).toEqual({
      added: [],
      removed: [],
      changed: ['postingWorkingDays'],
      values: [{ name: 'postingWorkingDays', from: 3, to: 5 }],
    });
    expect(diff.steps).toEqual({ added: [], removed: [], changed: ['listing'] });
    expect(diff.fields).toEqual([]);
  });

  it('is empty for the same definition', () => {
    const d = load(NATIONAL);
    expect(diffDefinitions(d, d)).toEqual({
      steps: { added: [], removed: [], changed: [] },
      events: { added: [], removed: [], changed: [] },
      roles: { added: [], removed: [], changed: [] },
      parameters: { added: [], removed: [], changed: [], values: [] },
      fields: [],
    });
  });
});

describe('unifiedDiff', () => {
  it('prints hunks with headers and three lines of context, like diff -u', () => {
    const a = 'abcdefghijklmnop'.split('').join('\n');
    const b = 'abcdEfghijklmnopq'.split('').join('\n');
    expect(unifiedDiff(a, b, 'v1', 'v2')).toBe(
      [
        '--- v1',
        '+++ v2',
        '@@ -2,7 +2,7 @@',
        ' b',
        ' c',
        ' d',
        '-e',
        '+E',
        ' f',
        ' g',
        ' h',
        '@@ -14,3 +14,4 @@',
        ' n',
        ' o',
        ' p',
        '+q',
        '',
      ].join('\n'),
    );
  });

  it('joins changes closer than twice the context into one hunk', () => {
    const a = 'abcdefghij'.split('').join('\n');
    const b = 'abcdEfghijk'.split('').join('\n');
    expect(
      unifiedDiff(a, b)
        .split('\n')
        .filter((l) => l.startsWith('@@')),
    ).toEqual(['@@ -2,9 +2,10 @@']);
  });

  it('is empty when nothing changed', () => expect(unifiedDiff('x\ny', 'x\ny')).toBe(''));
});
