import { DomainException } from '../infrastructure/domain.exception';

export class DefinitionNotFoundException extends DomainException {
  constructor(key: string) {
    super('not_found', 'DEFINITION_NOT_FOUND', `Không tìm thấy quy trình "${key}" / unknown definition version "${key}"`, { definitionKey: key });
  }
}

/** A published version's content changed: versions are immutable, a change needs a new version. */
export class DefinitionVersionChangedException extends DomainException {
  constructor(key: string, file: string) {
    super('conflict', 'DEFINITION_VERSION_IMMUTABLE', `${file}: ${key} was already published with different content; published versions are immutable — give the change a new version number`, { definitionKey: key, file });
  }
}
