import type { PayloadError } from '@rasoat/workflow-core';
import { DomainException } from '../infrastructure/domain.exception';

export class CaseNotFoundException extends DomainException {
  constructor(id: string) {
    super('not_found', 'CASE_NOT_FOUND', `Không tìm thấy hồ sơ "${id}" / unknown case "${id}"`, { caseId: id });
  }
}

export class UnknownEventTypeException extends DomainException {
  constructor(type: string, known: string[]) {
    super('invalid', 'UNKNOWN_EVENT_TYPE', `type: loại sự kiện "${type}" không có trong quy trình / unknown event type "${type}"`, { field: 'type', known });
  }
}

export class InvalidPayloadException extends DomainException {
  constructor(type: string, fields: PayloadError[]) {
    super('invalid', 'INVALID_PAYLOAD', `Dữ liệu của ${type} không hợp lệ / invalid payload: ${fields.map((f) => `data.${f.field}: ${f.message}`).join('; ')}`, {
      fields: fields.map((f) => ({ ...f, field: `data.${f.field}` })),
    });
  }
}

export class RoleNotAllowedException extends DomainException {
  constructor(type: string, role: string, allowed: string[]) {
    super('forbidden', 'ROLE_NOT_ALLOWED', `Vai trò ${role} không được gửi ${type}; được phép: ${allowed.join(', ')} / role not allowed`, { allowed });
  }
}

export class IdempotencyKeyReusedException extends DomainException {
  constructor(key: string) {
    super('conflict', 'IDEMPOTENCY_KEY_REUSED', `Khóa Idempotency-Key "${key}" đã dùng cho một sự kiện khác / the key was used for a different event`, { idempotencyKey: key });
  }
}

/** A migration request that cannot be planned (a target that is not a version of the process, a mapping into nothing). */
export class CaseMigrationInvalidException extends DomainException {
  constructor(field: string, message: string) {
    super('invalid', 'MIGRATION_INVALID', `${field}: ${message}`, { field });
  }
}

/** A correction that does not fit the case's definition: each problem names the body's field (`value`, `event`, `field`, `reason`). */
export class InvalidCorrectionException extends DomainException {
  constructor(fields: PayloadError[]) {
    super('invalid', 'INVALID_CORRECTION', `Yêu cầu sửa số liệu không hợp lệ / invalid correction: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, { fields });
  }
}
