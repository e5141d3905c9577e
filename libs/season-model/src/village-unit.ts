/** A village the season plays, with the chain of units its officials act from. */
export interface VillageUnit {
  index: number;
  code: string;
  name: string;
  communeCode: string;
  /** Null when the commune sits directly under the province (two-level government). */
  districtCode: string | null;
  provinceCode: string;
  /** The area of its households (a phường's are urban); rural when not given. */
  area?: 'rural' | 'urban';
}
