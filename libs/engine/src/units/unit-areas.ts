import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { AreaSchema, type Area } from '@rasoat/poverty-rules';

/** `config/units/areas.yaml` at the repository root. */
export const UNIT_AREAS_FILE = join(__dirname, '../../../../config/units/areas.yaml');

const UnitTypeAreaSchema = z.strictObject({
  /** The default area of a household in a commune of this type; null: none, the household's area must be given. */
  area: AreaSchema.nullable(),
  status: z.enum(['verified', 'recalled', 'uncertain']),
  source: z.string().trim().min(1),
});

export const UnitAreasSchema = z.strictObject({
  unitTypes: z.record(z.string().trim().min(1), UnitTypeAreaSchema),
});
export type UnitTypeArea = z.infer<typeof UnitTypeAreaSchema>;

/** A commune type's default area as the configuration states it (`undefined`: the type is not configured). */
export interface CommuneArea {
  unitType: string | null;
  /** Null: no default — the household's area must be given. */
  area: Area | null;
  status?: UnitTypeArea['status'];
}

/** Thrown for an invalid areas file: every problem with its file, line and JSON path. */
export class UnitAreasError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid unit areas configuration:\n${issues.map((i) => `  ${i}`).join('\n')}`);
    this.name = 'UnitAreasError';
  }
}

/** Reads and validates the areas file; an invalid one throws `UnitAreasError` naming `FILE:LINE $.path`. */
export function loadUnitAreas(file: string = UNIT_AREAS_FILE): Record<string, UnitTypeArea> {
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new UnitAreasError(
      doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? 1} YAML: ${e.message.split('\n')[0]}`),
    );
  }
  const result = UnitAreasSchema.safeParse(doc.toJS());
  if (result.success) return result.data.unitTypes;
  throw new UnitAreasError(
    result.error.issues.map((issue) => {
      const node = doc.getIn(issue.path as (string | number)[], true);
      const line = isNode(node) && node.range ? lines.linePos(node.range[0]).line : 1;
      const path = `$${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;
      return `${file}:${line} ${path} ${issue.message}`;
    }),
  );
}

/**
 * The default area of a household from its commune's type (`config/units/areas.yaml`): phường
 * urban, xã rural, đặc khu unsettled (no default). Read once per process; the survey, the file
 * or the API may always say otherwise.
 */
@Injectable()
export class UnitAreas {
  private areas: Record<string, UnitTypeArea> | undefined;
  private file = UNIT_AREAS_FILE;

  /** For tests: read another file (clears what was read). */
  useFile(file: string): void {
    this.file = file;
    this.areas = undefined;
  }

  /** The configured default area of a commune of `unitType`; `area: null` when there is none. */
  ofCommuneType(unitType: string | null | undefined): CommuneArea {
    this.areas ??= loadUnitAreas(this.file);
    const entry = unitType ? this.areas[unitType] : undefined;
    return entry
      ? { unitType: unitType ?? null, area: entry.area, status: entry.status }
      : { unitType: unitType ?? null, area: null };
  }
}
