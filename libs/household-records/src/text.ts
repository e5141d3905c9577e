/** A user-facing message: Vietnamese first, English after " / ". */
export function bilingual(vi: string, en: string): string {
  return `${vi} / ${en}`;
}

/**
 * The key two spellings of a header or value are compared by: NFC then accents stripped (đ → d),
 * lower case, every run of other characters (spaces, punctuation, "*") one space. "Mã hộ",
 * "MA HO" and " ma  hộ *" all give "ma ho".
 */
export function foldText(text: string): string {
  return text
    .normalize('NFC')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** `foldText` without parenthesised or bracketed parts: "Khu vực (Nông thôn/Thành thị)" → "khu vuc". */
export function foldWithoutParentheses(text: string): string {
  return foldText(text.replace(/\([^)]*\)|\[[^\]]*\]/g, ' '));
}

/** A lookup by folded spelling, tried first on the whole text, then without parenthesised parts. */
export class FoldedLookup<T> {
  private readonly entries = new Map<string, T>();

  /** Throws when two different values share a folded spelling: a table error, caught by the tests. */
  add(spelling: string, value: T): void {
    const key = foldText(spelling);
    const existing = this.entries.get(key);
    if (existing !== undefined && existing !== value)
      throw new Error(`"${spelling}" is ambiguous: it folds to "${key}", already taken`);
    this.entries.set(key, value);
  }

  get(text: string): T | undefined {
    return this.entries.get(foldText(text)) ?? this.entries.get(foldWithoutParentheses(text));
  }
}

/** Spreadsheet column letters of a 0-based index: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}
