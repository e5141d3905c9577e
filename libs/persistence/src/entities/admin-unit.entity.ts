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
}
