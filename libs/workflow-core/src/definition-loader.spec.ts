import { DefinitionInvalidError, formatDefinitionError, jsonPath, type DefinitionError } from './definition-error';
import { DEFINITION_TEXT_LIMITS, loadDefinitionYaml, parseYaml, SourceMap } from './definition-loader';

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string): { line: number; col: number } {
  const offset = text.indexOf(needle);
  if (offset < 0 || text.indexOf(needle, offset + 1) >= 0) throw new Error(`"${needle}" must occur exactly once`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

function errorsOf(text: string, file = 'demo.yaml'): DefinitionError[] {
  const result = loadDefinitionYaml(text, file);
  if (result.ok) throw new Error('expected the definition to be rejected');
  return result.errors;
}

const VALID = `id: demo
version: 1
title: Rà soát thử
sources: [QĐ 24/2021/QĐ-TTg]
roles:
  board: { label: Ban rà soát thôn, level: village }
events:
  SURVEY_COMPLETED:
    label: Hoàn thành rà soát
    roles: [board]
    fields:
      householdsSurveyed: { type: integer, min: 0 }
initial: survey
steps:
  survey:
    label: Thu thập thông tin
    role: board
    source: QĐ 24/2021, Điều 4
    on:
      SURVEY_COMPLETED:
        - target: done
  done:
    type: final
    label: Xong
`;

describe('parseYaml', () => {
  it('reports a syntax error at its line and column with a "YAML:" message', () => {
    const text = 'id: demo\nsteps:\n  survey: 1\n done: 2\n';
    const result = parseYaml(text, 'bad.yaml');
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          file: 'bad.yaml',
          line: 4,
          col: 1,
          path: '$',
          message: 'YAML: All mapping items must start at the same column',
        },
      ],
    });
  });

  it('reports an error in the middle of a line at the right column', () => {
    const result = parseYaml('id: demo\nversion: 1: 2\n', 'bad.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toMatchObject({ line: 2, col: 10, path: '$' });
    expect(result.errors[0].message).toMatch(/^YAML: /);
  });

  it('keeps only the first line of a multi-line yaml message', () => {
    const result = parseYaml('a: {b: 1\n', 'bad.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    for (const e of result.errors) expect(e.message).not.toContain('\n');
  });

  it('rejects a duplicate key and points at the second occurrence', () => {
    const text = 'id: demo\nroles:\n  board: 1\n  board: 2\n';
    const result = parseYaml(text, 'dup.yaml');
    expect(result).toEqual({
      ok: false,
      errors: [{ file: 'dup.yaml', line: 4, col: 3, path: '$', message: 'YAML: Map keys must be unique' }],
    });
  });

  it('reports every alias as an error instead of throwing', () => {
    const text = 'a: &ratio 0.5\nb: *ratio\nc: *ratio\n';
    expect(() => parseYaml(text, 'alias.yaml')).not.toThrow();
    const result = parseYaml(text, 'alias.yaml');
    expect(result).toEqual({
      ok: false,
      errors: [
        { file: 'alias.yaml', line: 2, col: 4, path: '$', message: 'YAML: aliases are not allowed (*ratio)' },
        { file: 'alias.yaml', line: 3, col: 4, path: '$', message: 'YAML: aliases are not allowed (*ratio)' },
      ],
    });
  });

  it('returns plain data for valid yaml', () => {
    const result = parseYaml('a: 1\nb: [x, y]\n', 'ok.yaml');
    expect(result.ok && result.value).toEqual({ a: 1, b: ['x', 'y'] });
  });
});

describe('parseYaml: limits checked before parsing', () => {
  const only = (text: string) => {
    const result = parseYaml(text, 'big.yaml');
    if (result.ok) throw new Error('expected the text to be refused');
    return result.errors;
  };

  it('refuses a text longer than 200,000 characters', () => {
    expect(DEFINITION_TEXT_LIMITS.maxCharacters).toBe(200_000);
    expect(only(`id: x\nnote: "${'a'.repeat(200_000)}"\n`)).toEqual([
      {
        file: 'big.yaml',
        line: 1,
        col: 1,
        path: '$',
        message:
          'YAML: tệp có 200015 ký tự, quá giới hạn 200000 / the file has 200015 characters, more than the limit of 200000',
      },
    ]);
  });

  it('refuses more than 20,000 values, at the first one past the limit', () => {
    // The key "values", then 10,000 items, each a sequence item and a scalar: the last scalar is value 20,001.
    const text = `values:\n${Array.from({ length: 10_000 }, (_, i) => `  - ${i}`).join('\n')}\n`;
    expect(only(text)).toEqual([
      {
        file: 'big.yaml',
        line: positionOf(text, '  - 9999\n').line,
        col: 5,
        path: '$',
        message:
          'YAML: tệp có hơn 20000 giá trị, quá giới hạn / the file has more than 20000 values, more than the limit',
      },
    ]);
    expect(parseYaml(text.replace('  - 9999\n', ''), 'big.yaml').ok).toBe(true);
  });

  it('refuses flow collections nested more than 64 deep, where they pass it (a megabyte of "[" exhausted 320 MB)', () => {
    expect(only('a: ' + '['.repeat(199_000))).toEqual([
      {
        file: 'big.yaml',
        line: 1,
        col: 68,
        path: '$',
        message:
          'YAML: ngoặc [ ] hoặc { } lồng nhau quá 64 cấp / flow collections ([ ] or { }) nested more than 64 deep',
      },
    ]);
    expect(parseYaml('a: ' + '['.repeat(64) + ']'.repeat(64), 'deep.yaml').ok).toBe(true);
  });

  it('reports the first 100 YAML errors and counts the rest', () => {
    const errors = only(Array.from({ length: 150 }, () => 'a: 1').join('\n'));
    expect(errors).toHaveLength(101);
    expect(errors[99]).toMatchObject({ line: 101, message: expect.stringContaining('Map keys must be unique') });
    expect(errors[100]).toEqual({
      file: 'big.yaml',
      line: 1,
      col: 1,
      path: '$',
      message:
        'Còn 49 lỗi khác không hiển thị (chỉ báo 100 lỗi đầu tiên) / 49 more errors not shown (only the first 100 are reported)',
    });
  });
});

describe('loadDefinitionYaml', () => {
  it('accepts a valid definition and applies schema defaults', () => {
    const result = loadDefinitionYaml(VALID, 'demo.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.steps.survey.type).toBe('task');
    expect(result.value.steps.done.on).toEqual({});
    expect(result.value.parameters).toEqual({});
    expect(result.value.steps.survey.on.SURVEY_COMPLETED).toEqual([{ target: 'done', actions: [] }]);
  });

  it('names an unknown key with its path and the position of the key', () => {
    const text = VALID.replace('    role: board\n', '    role: board\n    owner: board\n');
    expect(errorsOf(text)).toEqual([
      {
        file: 'demo.yaml',
        ...positionOf(text, 'owner:'),
        path: '$.steps.survey.owner',
        message: 'unknown key "owner"',
      },
    ]);
    expect(positionOf(text, 'owner:')).toEqual({ line: 18, col: 5 });
  });

  it('reports an unknown top-level key at column 1', () => {
    const text = `${VALID}after: 3\n`;
    expect(errorsOf(text)).toEqual([
      { file: 'demo.yaml', line: 25, col: 1, path: '$.after', message: 'unknown key "after"' },
    ]);
  });

  it('locates a wrong type deep inside a transition list', () => {
    const text = VALID.replace('- target: done', '- target: 42');
    const [error, ...rest] = errorsOf(text);
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ path: '$.steps.survey.on.SURVEY_COMPLETED[0].target', line: 21, col: 11 });
    expect(error.message).toMatch(/expected string/);
  });

  it('locates a wrong field type in an event payload declaration', () => {
    const text = VALID.replace('{ type: integer, min: 0 }', '{ type: integer, min: zero }');
    const [error, ...rest] = errorsOf(text);
    expect(rest).toEqual([]);
    expect(error).toMatchObject({
      path: '$.events.SURVEY_COMPLETED.fields.householdsSurveyed.min',
      ...positionOf(text, 'min: zero'),
    });
    expect(error.message).toMatch(/expected number/);
  });

  it('reports an unsupported field type at the field', () => {
    const text = VALID.replace('{ type: integer, min: 0 }', '{ type: text }');
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toMatch(/^\$\.events\.SURVEY_COMPLETED\.fields\.householdsSurveyed/);
    expect(errors[0].line).toBe(positionOf(text, '{ type: text }').line);
  });

  it('reports the failing branch of a union, not a bare "invalid input"', () => {
    // `label` accepts a string or { vi, en }: an object with an unknown key must name that key.
    const text = VALID.replace('label: Xong', 'label: { vi: Xong, fr: Fini }');
    expect(errorsOf(text)).toEqual([
      {
        file: 'demo.yaml',
        ...positionOf(text, 'fr: Fini'),
        path: '$.steps.done.label.fr',
        message: 'unknown key "fr"',
      },
    ]);
  });

  it('points a missing required key at its parent key', () => {
    const text = VALID.replace('    label: Thu thập thông tin\n', '');
    const [error, ...rest] = errorsOf(text);
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ path: '$.steps.survey.label', ...positionOf(text, 'survey:\n') });
  });

  it('explains why a record key is invalid, at the key', () => {
    const text = VALID.replace('  SURVEY_COMPLETED:\n    label', '  surveyCompleted:\n    label');
    expect(errorsOf(text)).toEqual([
      {
        file: 'demo.yaml',
        line: 8,
        col: 3,
        path: '$.events.surveyCompleted',
        message: 'invalid key "surveyCompleted": must be UPPER_SNAKE_CASE, e.g. SURVEY_COMPLETED',
      },
    ]);
  });

  it('reports every error of the file at once, in one pass', () => {
    const text = VALID.replace('version: 1', 'version: 0')
      .replace('    role: board\n', '    role: board\n    owner: board\n')
      .replace('- target: done', '- target: 42');
    const errors = errorsOf(text);
    expect(errors.map((e) => [e.path, e.line])).toEqual(
      expect.arrayContaining([
        ['$.version', 2],
        ['$.steps.survey.owner', 18],
        ['$.steps.survey.on.SURVEY_COMPLETED[0].target', 22],
      ]),
    );
    expect(errors).toHaveLength(3);
  });

  it('stops at yaml syntax errors before checking the schema', () => {
    const text = `${VALID}owner: [a\n`;
    const errors = errorsOf(text);
    expect(errors.every((e) => e.message.startsWith('YAML: '))).toBe(true);
  });
});

describe('jsonPath', () => {
  it('formats the root as "$"', () => {
    expect(jsonPath([])).toBe('$');
  });

  it('uses dots for identifiers and brackets for indexes', () => {
    expect(jsonPath(['steps', 'survey', 'on', 'SURVEY_COMPLETED', 0, 'target'])).toBe(
      '$.steps.survey.on.SURVEY_COMPLETED[0].target',
    );
    expect(jsonPath(['steps', 'x', 'deadline', 'due', 'of', 1, 'of', 0])).toBe('$.steps.x.deadline.due.of[1].of[0]');
  });

  it('quotes keys that are not plain identifiers, so "0" differs from index 0', () => {
    expect(jsonPath(['a', '0'])).toBe('$.a["0"]');
    expect(jsonPath(['a', 0])).toBe('$.a[0]');
    expect(jsonPath(['with space', 'a.b', 'quote"d'])).toBe('$["with space"]["a.b"]["quote\\"d"]');
    expect(jsonPath(['$schema', 'kebab-key', 'đ'])).toBe('$.$schema.kebab-key["đ"]');
  });
});

describe('formatDefinitionError and DefinitionInvalidError', () => {
  const error: DefinitionError = {
    file: 'workflows/x.yaml',
    line: 12,
    col: 7,
    path: '$.steps.survey.role',
    message: 'unknown role "chief"',
  };

  it('formats FILE:LINE:COL JSONPATH message', () => {
    expect(formatDefinitionError(error)).toBe('workflows/x.yaml:12:7 $.steps.survey.role unknown role "chief"');
  });

  it('carries every error and lists them in its message', () => {
    const second = { ...error, line: 20, path: '$.initial', message: 'unknown step "x"' };
    const thrown = new DefinitionInvalidError([error, second]);
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown.name).toBe('DefinitionInvalidError');
    expect(thrown.errors).toEqual([error, second]);
    expect(thrown.message.split('\n')).toEqual([
      'Definition invalid:',
      'workflows/x.yaml:12:7 $.steps.survey.role unknown role "chief"',
      'workflows/x.yaml:20:7 $.initial unknown step "x"',
    ]);
  });
});

describe('SourceMap', () => {
  it('locates a value on a path, a sequence item, and falls back to the parent of a missing key', () => {
    const text = 'steps:\n  survey:\n    on:\n      DONE:\n        - target: a\n        - target: b\n';
    const parsed = parseYaml(text, 'f.yaml');
    if (!parsed.ok) throw new Error('fixture must parse');
    expect(parsed.source.locate(['steps', 'survey', 'on', 'DONE', 1, 'target'])).toEqual({ line: 6, col: 11 });
    expect(parsed.source.locate(['steps', 'survey', 'on', 'DONE', 1])).toEqual({ line: 6, col: 11 });
    expect(parsed.source.locate(['steps', 'survey', 'missing', 'deeper'])).toEqual({ line: 2, col: 3 });
    expect(parsed.source.error(['steps', 'survey'], 'm')).toEqual({
      file: 'f.yaml',
      line: 2,
      col: 3,
      path: '$.steps.survey',
      message: 'm',
    });
  });

  it('answers 0:0 when there is no source document', () => {
    expect(new SourceMap('<definition>', null, null).error(['initial'], 'm')).toEqual({
      file: '<definition>',
      line: 0,
      col: 0,
      path: '$.initial',
      message: 'm',
    });
  });
});

describe('loadDefinitionYaml: a bounded report', () => {
  it('locates the first 100 schema errors and counts the rest', () => {
    const text = VALID + Array.from({ length: 9_000 }, (_, i) => `unknown${i}: 1`).join('\n') + '\n';
    const errors = errorsOf(text);
    expect(errors).toHaveLength(101);
    expect(errors[0]).toEqual({
      file: 'demo.yaml',
      ...positionOf(text, 'unknown0:'),
      path: '$.unknown0',
      message: 'unknown key "unknown0"',
    });
    expect(errors[100].message).toBe(
      'Còn 8900 lỗi khác không hiển thị (chỉ báo 100 lỗi đầu tiên) / 8900 more errors not shown (only the first 100 are reported)',
    );
  });
});
