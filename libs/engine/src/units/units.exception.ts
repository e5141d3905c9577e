import { DomainException } from '../infrastructure';

export class UnitNotFoundException extends DomainException {
  constructor(code: string) {
    super(
      'not_found',
      'UNIT_NOT_FOUND',
      `Không tìm thấy đơn vị hành chính "${code}" / unknown administrative unit "${code}"`,
      { unit: code },
    );
  }
}
