/** One cell as read from a file, normalised to text before validation. */
export interface SheetCell {
  /** The value as text: numbers in full (`123456789012`), dates as `YYYY-MM-DD`, rich text joined. */
  text: string;
  /** Set when the cell held a number (XLSX), so that digits lost to number formatting can be recognised. */
  number?: number;
  /** Set when the cell held an error value (`#N/A`) or a formula with no computed result. */
  error?: string;
}

/** One row of a sheet, numbered as a spreadsheet shows it (1-based, header = row 1). */
export interface SheetRow {
  row: number;
  cells: SheetCell[];
}

export function isBlankRow(row: SheetRow): boolean {
  return row.cells.every((cell) => cell.text.trim() === '' && cell.error === undefined);
}
