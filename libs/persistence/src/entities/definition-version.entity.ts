import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * A published, immutable version of a process definition. Cases are pinned to one row:
 * (definition id, version, content hash).
 */
@Entity({ tableName: 'definition_version' })
@Unique({ properties: ['definitionId', 'version'] })
export class DefinitionVersion {
  /** `periodic-review@1` */
  @PrimaryKey({ type: 'text' })
  key!: string;

  @Property({ type: 'text' })
  definitionId!: string;

  @Property({ type: 'integer' })
  version!: number;

  /** sha256 of the canonical JSON of `body`. */
  @Property({ type: 'text' })
  contentHash!: string;

  /** The validated definition, as the core reads it (json, not jsonb: the order of steps is kept for diagrams). */
  @Property({ type: 'json' })
  body!: Record<string, unknown>;

  @Property({ type: 'text' })
  sourceFile!: string;

  @Property({ type: 'text', nullable: true })
  provinceCode?: string | null;

  /** The first day a campaign may start on this version. */
  @Property({ type: 'date', nullable: true })
  effectiveFrom?: string | null;

  /** The last day a campaign may start on this version (amendable in place; running cases keep it). */
  @Property({ type: 'date', nullable: true })
  effectiveTo?: string | null;

  @Property({ type: 'datetime' })
  publishedAt!: Date;

  @Property({ type: 'text' })
  publishedBy!: string;

  /** The YAML as the admin wrote it (an overlay stays an overlay); `body` is the merged result. */
  @Property({ type: 'text', nullable: true })
  sourceText?: string | null;

  /** A rolled-back version: no new campaign starts on it; running cases stay on it. */
  @Property({ type: 'datetime', nullable: true })
  retiredAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  retiredBy?: string | null;

  @Property({ type: 'text', nullable: true })
  retireReason?: string | null;
}
