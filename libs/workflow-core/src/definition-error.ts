/** A problem in a definition file, located precisely enough for an admin to fix it. */
export interface DefinitionError {
  file: string;
  /** 1-based; 0 when the place has no position (e.g. a merged overlay). */
  line: number;
  col: number;
  /** JSON path of the offending node, e.g. `$.steps.survey.on.SURVEY_COMPLETED[0].target`. */
  path: string;
  message: string;
}

export type PathSegment = string | number;

/** Turns a JSON path of a (possibly merged) definition into a located error. */
export interface SourceLocator {
  error(path: readonly PathSegment[], message: string): DefinitionError;
}

/**
 * Errors reported at most for one definition. Past it the rest are counted, not located
 * (locating one walks the document) nor listed: a hostile file can hold a hundred thousand.
 */
export const MAX_REPORTED_ERRORS = 100;

/** The error that stands for `count` errors left out, at the root of the document. */
export function moreErrors(source: SourceLocator, count: number): DefinitionError {
  return source.error(
    [],
    `Còn ${count} lỗi khác không hiển thị (chỉ báo ${MAX_REPORTED_ERRORS} lỗi đầu tiên) / ${count} more errors not shown (only the first ${MAX_REPORTED_ERRORS} are reported)`,
  );
}

/** Formats `['steps', 'survey', 'on', 'X', 0]` as `$.steps.survey.on.X[0]`. */
export function jsonPath(segments: readonly PathSegment[]): string {
  return segments.reduce<string>(
    (acc, seg) =>
      typeof seg === 'number'
        ? `${acc}[${seg}]`
        : /^[A-Za-z_$][\w$-]*$/.test(seg)
          ? `${acc}.${seg}`
          : `${acc}[${JSON.stringify(seg)}]`,
    '$',
  );
}

/** `FILE:LINE:COL JSONPATH message`, the format of `rasoat definitions validate`. */
export function formatDefinitionError(e: DefinitionError): string {
  return `${e.file}:${e.line}:${e.col} ${e.path} ${e.message}`;
}

/** Thrown by APIs that cannot return a result object; carries every error at once. */
export class DefinitionInvalidError extends Error {
  constructor(readonly errors: DefinitionError[]) {
    super(`Definition invalid:\n${errors.map(formatDefinitionError).join('\n')}`);
    this.name = 'DefinitionInvalidError';
  }
}
