import { DomainException } from '../infrastructure';

export class ReportInvalidException extends DomainException {
  constructor(field: string, message: string, details: Record<string, unknown> = {}) {
    super('invalid', 'REPORT_INVALID', `${field}: ${message}`, { field, ...details });
  }
}
