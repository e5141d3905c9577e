import { safeErrorMessage, safeErrorStack } from './safe-error';

describe('safe error text', () => {
  it('keeps ordinary messages', () => {
    expect(safeErrorMessage(new Error('queue closed'))).toBe('queue closed');
    expect(safeErrorStack(new Error('queue closed'))).toMatch(/^Error: queue closed\n\s+at /);
    expect(safeErrorMessage('plain')).toBe('plain');
    expect(safeErrorMessage(42)).toBe('non-error thrown (number)');
  });

  it('drops the SQL statement and its values from database errors, keeping class, code and frames', () => {
    const e = Object.assign(
      new Error(
        `update "household" set "name" = 'Lò Văn Pấng', "id_number" = '001099012345' where "id" = 1 - deadlock detected`,
      ),
      { name: 'DeadlockException', code: '40P01' },
    );
    expect(safeErrorMessage(e)).toBe('DeadlockException [40P01] (SQL statement and values omitted)');
    const stack = safeErrorStack(e);
    expect(stack).not.toContain('Lò Văn Pấng');
    expect(stack).not.toContain('001099012345');
    expect(stack).toMatch(/\n\s+at /);
  });

  it('treats errors that carry their statement as database errors even when the message is short', () => {
    expect(
      safeErrorMessage(Object.assign(new Error('syntax error'), { sql: 'select 1', name: 'SyntaxErrorException' })),
    ).toBe('SyntaxErrorException (SQL statement and values omitted)');
  });
});
