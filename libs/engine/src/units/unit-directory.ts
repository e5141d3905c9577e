import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { UnitRepository, type UnitLink } from './unit.repository';

/**
 * The chain of units above a case (province … village), read from the materialised path and
 * cached per process: deadlines address the responsible unit and, when escalating, the units
 * above it. Units change rarely (a reorganisation); `forget()` drops the cache.
 */
@Injectable()
export class UnitDirectory {
  private readonly units = new Map<string, UnitLink>();

  constructor(private readonly repository: UnitRepository) {}

  /** `/24/213/07000/0700001/` → [province, district, commune, village]; unknown codes are skipped. */
  async chains(paths: readonly string[], em?: EntityManager): Promise<Map<string, UnitLink[]>> {
    const codes = new Set(paths.flatMap(segments));
    const missing = [...codes].filter((c) => !this.units.has(c));
    if (missing.length > 0) {
      const rows = await this.repository.links(missing, em);
      for (const row of rows) this.units.set(row.code, row);
    }
    return new Map(paths.map((p) => [p, segments(p).flatMap((c) => this.units.get(c) ?? [])]));
  }

  /**
   * One unit by code, from the same cache: a query only the first time a code is asked for.
   * A code that names no unit is not remembered, so a unit imported later is found.
   */
  async find(code: string): Promise<UnitLink | undefined> {
    const cached = this.units.get(code);
    if (cached) return cached;
    const row = await this.repository.link(code);
    if (row) this.units.set(row.code, row);
    return row;
  }

  forget(): void {
    this.units.clear();
  }
}

function segments(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/** The unit responsible for a role of `level` on a case (the village itself when the chain has no such level). */
export function responsibleIndex(chain: readonly UnitLink[], level: string | undefined): number {
  const i = chain.findIndex((u) => u.level === level);
  return i >= 0 ? i : chain.length - 1;
}
