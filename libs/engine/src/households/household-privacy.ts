/**
 * Keeps the initials of a name: "Nguyễn Văn An" → "N*** V*** A". Each word but the last is its
 * first letter and `***`, the last its first letter only; letters are counted as characters, not
 * UTF-16 units, after NFC, so "Đặng" gives "Đ".
 */
export function maskName(name: string): string {
  const words = name
    .normalize('NFC')
    .trim()
    .split(/\s+/u)
    .filter((word) => word !== '');
  if (words.length === 0) return '***';
  return words.map((word, i) => `${Array.from(word)[0]}${i < words.length - 1 ? '***' : ''}`).join(' ');
}

/** Keeps the last four characters: "001090012345" → "********2345"; null stays null. */
export function maskIdNumber(idNumber: string | null | undefined): string | null {
  if (idNumber === null || idNumber === undefined || idNumber === '') return null;
  const visible = idNumber.length > 4 ? idNumber.slice(-4) : '';
  return `${'*'.repeat(idNumber.length - visible.length)}${visible}`;
}
