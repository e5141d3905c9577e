import { Injectable, Logger } from '@nestjs/common';
import { demoVillages, EARLIER_DEMO_DISTRICTS } from './demo-province';
import { withPaths } from './unit-tree';
import { UnitRepository } from './unit.repository';

/** What was found of the 2021 tree that earlier versions seeded for the demo. */
export type EarlierDemo =
  | { found: false }
  | { found: true; removed: number }
  /** Kept because some of its villages carry cases: the real tree is then not seeded. */
  | { found: true; kept: string[] };

/**
 * The demo's units: the real province of the official list (Bắc Ninh, 24, with its 99 communes)
 * and generated villages under each commune (`demoVillages`).
 *
 * A data directory of an earlier version holds a synthetic Bắc Giang 2021 under code 24 (its 10
 * districts, 230 communes with made-up 5-digit codes — some of them real communes' codes — and
 * 2,127 villages). Before the official list loads, `clearEarlierDemo` removes that tree when no
 * case names any of its units; when some do (the earlier demo campaign), it is kept as it is, the
 * official codes it holds are left to it, and no village is generated: delete the data directory
 * to get the new demo.
 */
@Injectable()
export class DemoUnitsService {
  private readonly logger = new Logger(DemoUnitsService.name);

  constructor(private readonly units: UnitRepository) {}

  /** Finds the earlier demo's districts under the demo province; removes their subtrees if no case names them. */
  async clearEarlierDemo(provinceCode: string): Promise<EarlierDemo> {
    const districts = (await this.units.unofficialUnits(provinceCode, 'district')).filter(
      (d) => EARLIER_DEMO_DISTRICTS.get(d.code) === d.name && d.path === `/${provinceCode}/${d.code}/`,
    );
    if (districts.length === 0) return { found: false };
    const paths = districts.map((d) => d.path);
    const withCases = await this.units.subtreesWithCases(paths);
    if (withCases.length > 0) {
      this.logger.warn(
        `Thư mục dữ liệu này chứa bản demo cũ (Bắc Giang 2021, đơn vị giả, có hồ sơ) dưới mã ${provinceCode}: giữ nguyên, không tạo cây đơn vị thật của Bắc Ninh. ` +
          `Xoá thư mục dữ liệu (.data) để có bản demo mới / this data directory holds the earlier demo (synthetic Bắc Giang 2021, with cases) under ${provinceCode}: ` +
          'it is kept as it is and the real Bắc Ninh tree is not seeded; delete the data directory (.data) to get the new demo',
      );
      return { found: true, kept: withCases };
    }
    const removed = await this.units.deleteSubtrees(paths);
    this.logger.log(
      `đã xoá ${removed} đơn vị của bản demo cũ (Bắc Giang 2021, không có hồ sơ) / removed ${removed} units of the earlier demo (Bắc Giang 2021, no case)`,
    );
    return { found: true, removed };
  }

  /** Generated villages under every commune of the province still in use; how many were new (0 on a later start). */
  async seedVillages(provinceCode: string): Promise<number> {
    const communes = await this.units.communesOf(provinceCode);
    if (communes.length === 0) {
      this.logger.warn(
        `tỉnh ${provinceCode} không có xã nào trong danh mục: không tạo thôn demo / province ${provinceCode} has no commune: no demo village generated`,
      );
      return 0;
    }
    const places = await this.units.placesOf(communes.map((c) => c.code));
    return this.units.insertMissing(withPaths(demoVillages(communes), places), 'demo');
  }
}
