import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

export type UnitLevel = 'nation' | 'province' | 'district' | 'commune' | 'village';

/**
 * An administrative unit. The tree is province → district → commune → village before
 * July 2025 and province → commune → village after; `path` holds the codes from the top so
 * that a subtree is one prefix query, whatever the depth.
 */
@Entity({ tableName: 'admin_unit' })
@Index({ properties: ['parentCode'] })
export class AdminUnit {
  @PrimaryKey({ type: 'text' })
  code!: string;

  /** The name as people write it, with its type: `Phường Bắc Giang`, `Thôn Đông Sơn`. */
  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  level!: UnitLevel;

  @Property({ type: 'text', nullable: true })
  parentCode?: string | null;

  /** `/24/213/07654/0765401/`: the codes from the province down to this unit. */
  @Index({
    name: 'admin_unit_path_idx',
    expression: 'create index "admin_unit_path_idx" on "admin_unit" ("path" text_pattern_ops)',
  })
  @Property({ type: 'text' })
  path!: string;

  @Property({ type: 'text' })
  provinceCode!: string;

  /**
   * The official type: `Tỉnh`, `Thành phố`, `Xã`, `Phường`, `Đặc khu` (the national list),
   * `Thôn`, `Tổ dân phố`, `Bản`, `Ấp`… (a village's, as imported). Null when nobody gave one.
   */
  @Property({ type: 'text', nullable: true })
  unitType?: string | null;

  /** The English name of the national list (`Bac Giang`); null for villages. */
  @Property({ type: 'text', nullable: true })
  nameEn?: string | null;

  /** Where the unit came from: `vn-2026` (the national list), `demo`, `import`; null before 2026-12. */
  @Property({ type: 'text', nullable: true })
  source?: string | null;

  /** Set when the unit was merged into another: it stays, for the cases that name it, but takes no new case. */
  @Property({ type: 'datetime', nullable: true })
  retiredAt?: Date | null;

  /** The unit a retired unit merged into. */
  @Property({ type: 'text', nullable: true })
  mergedInto?: string | null;
}
