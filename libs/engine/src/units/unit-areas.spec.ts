import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnitAreas, UnitAreasError, loadUnitAreas } from './unit-areas';

describe('the default area by commune type (config/units/areas.yaml)', () => {
  it('is urban for a phường and a thị trấn, rural for a xã, unsettled (none) for a đặc khu and for a type nobody gave', () => {
    const areas = new UnitAreas();
    expect(areas.ofCommuneType('Phường')).toEqual({ unitType: 'Phường', area: 'urban', status: 'recalled' });
    expect(areas.ofCommuneType('Thị trấn')).toMatchObject({ area: 'urban' });
    expect(areas.ofCommuneType('Xã')).toEqual({ unitType: 'Xã', area: 'rural', status: 'recalled' });
    expect(areas.ofCommuneType('Đặc khu')).toEqual({ unitType: 'Đặc khu', area: null, status: 'uncertain' });
    expect(areas.ofCommuneType(null)).toEqual({ unitType: null, area: null });
    expect(areas.ofCommuneType('Huyện')).toEqual({ unitType: 'Huyện', area: null });
  });

  it('every configured type names its source', () => {
    for (const entry of Object.values(loadUnitAreas())) expect(entry.source.length).toBeGreaterThan(20);
  });

  it('refuses a bad file, naming its line and JSON path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rasoat-areas-'));
    try {
      const file = join(dir, 'areas.yaml');
      writeFileSync(file, 'unitTypes:\n  Phường:\n    area: city\n    status: recalled\n    source: GSO\n');
      expect(() => loadUnitAreas(file)).toThrow(UnitAreasError);
      expect(() => loadUnitAreas(file)).toThrow(`${file}:3 $.unitTypes.Phường.area`);
      writeFileSync(file, 'unitTypes: [\n');
      expect(() => loadUnitAreas(file)).toThrow(
        new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+ YAML:`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
