import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

export type DefinitionAuditAction = 'publish' | 'rollback' | 'migrate' | 'amend';

/** Who changed a province's process, when, and how (a unified diff of the YAML). */
@Entity({ tableName: 'definition_audit' })
@Index({ properties: ['provinceCode', 'id'] })
export class DefinitionAudit {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'datetime' })
  at!: Date;

  @Property({ type: 'text' })
  action!: DefinitionAuditAction;

  @Property({ type: 'text' })
  definitionId!: string;

  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'text', nullable: true })
  provinceCode?: string | null;

  @Property({ type: 'jsonb' })
  actor!: Record<string, unknown>;

  @Property({ type: 'text' })
  diff!: string;

  @Property({ type: 'jsonb' })
  details!: Record<string, unknown>;
}
