import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

export type UnitChangeKind = 'created' | 'renamed' | 'merged';

/**
 * One change an import made to a unit: created, renamed (name or type) or merged into another
 * (`mergedInto`; the unit is retired). `before` / `after` hold `{ name, unitType }` (and
 * `parentCode` when created). All the changes of one import share `importId`, the file's name
 * and sha256, the time and the actor. Append-only.
 */
@Entity({ tableName: 'unit_change' })
@Index({ properties: ['unitCode', 'id'] })
@Index({ properties: ['provinceCode', 'id'] })
export class UnitChange {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'uuid' })
  importId!: string;

  @Property({ type: 'text' })
  unitCode!: string;

  @Property({ type: 'text' })
  provinceCode!: string;

  @Property({ type: 'text' })
  kind!: UnitChangeKind;

  @Property({ type: 'jsonb', nullable: true })
  before?: Record<string, unknown> | null;

  @Property({ type: 'jsonb', nullable: true })
  after?: Record<string, unknown> | null;

  @Property({ type: 'text', nullable: true })
  mergedInto?: string | null;

  @Property({ type: 'datetime' })
  at!: Date;

  @Property({ type: 'jsonb' })
  actor!: Record<string, unknown>;

  @Property({ type: 'text', nullable: true })
  fileName?: string | null;

  @Property({ type: 'text' })
  fileSha256!: string;
}

/** Which official list of units was loaded (`vn-2026`), from which file content, when. */
@Entity({ tableName: 'unit_list' })
export class UnitList {
  @PrimaryKey({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  sha256!: string;

  @Property({ type: 'integer' })
  units!: number;

  @Property({ type: 'datetime' })
  loadedAt!: Date;
}
