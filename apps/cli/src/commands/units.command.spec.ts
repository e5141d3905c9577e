import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIo } from '../memory-io';
import { createUnitsCommand, formatUnitError, oversize } from './units.command';

describe('units import: the command line', () => {
  it('prints its usage for anything but "import FILE [--province CODE]" (exit 2)', async () => {
    const command = createUnitsCommand({ env: {} });
    for (const args of [
      [],
      ['export', 'a.csv'],
      ['import'],
      ['import', 'a.csv', '--province'],
      ['import', 'a.csv', '--province', 'bắc ninh'],
    ]) {
      const { io, stderr } = memoryIo();
      expect(await command.run(args, io)).toBe(2);
      expect(stderr()).toMatch(/^usage: units import FILE\.csv\|FILE\.xlsx \[--province CODE\]/);
    }
  });

  it('names an error by row and column', () => {
    expect(formatUnitError({ row: 5, column: 'Mã đơn vị cấp trên', message: 'không có / none' })).toBe(
      'dòng 5, cột "Mã đơn vị cấp trên": không có / none',
    );
    expect(formatUnitError({ row: 1, message: 'Tệp rỗng / The file is empty' })).toBe(
      'dòng 1: Tệp rỗng / The file is empty',
    );
  });

  it('refuses a file larger than the limit before reading it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rasoat-units-'));
    try {
      const file = join(dir, 'units.csv');
      writeFileSync(file, 'code,name,level\n20,Lạng Sơn,tỉnh\n');
      expect(oversize(file, { maxBytes: 1024, maxRows: 10 })).toBeUndefined();
      expect(oversize(file, { maxBytes: 20, maxRows: 10 })).toMatch(
        /^tệp dài 38 byte, quá giới hạn 20 byte \(UNITS_FILE_MAX_BYTES\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
