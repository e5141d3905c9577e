import type { DefinitionError } from '@rasoat/workflow-core';
import { DomainException } from '../infrastructure';

export class DefinitionNotFoundException extends DomainException {
  constructor(key: string) {
    super(
      'not_found',
      'DEFINITION_NOT_FOUND',
      `Không tìm thấy quy trình "${key}" / unknown definition version "${key}"`,
      { definitionKey: key },
    );
  }
}

/** A published version's content changed: versions are immutable, a change needs a new version. */
export class DefinitionVersionChangedException extends DomainException {
  constructor(key: string, file: string) {
    super(
      'conflict',
      'DEFINITION_VERSION_IMMUTABLE',
      `${file}: ${key} was already published with different content; published versions are immutable — give the change a new version number`,
      { definitionKey: key, file },
    );
  }
}

/** A definition that does not validate: every error with its file, line, column and JSON path. */
export class DefinitionInvalidException extends DomainException {
  constructor(errors: DefinitionError[]) {
    super(
      'invalid',
      'DEFINITION_INVALID',
      `Quy trình không hợp lệ (${errors.length} lỗi) / the definition is invalid:\n${errors.map((e) => `${e.file}:${e.line}:${e.col} ${e.path} ${e.message}`).join('\n')}`,
      { errors },
    );
  }
}

export class DefinitionConflictException extends DomainException {
  constructor(message: string, details: Record<string, unknown>) {
    super('conflict', 'DEFINITION_CONFLICT', message, details);
  }
}
