import type { PayloadError } from '@rasoat/workflow-core';
import { DomainException } from '../infrastructure';

export class CaseNotFoundException extends DomainException {
  constructor(id: string) {
    super('not_found', 'CASE_NOT_FOUND', `Không tìm thấy hồ sơ "${id}" / unknown case "${id}"`, { caseId: id });
  }
}

export class UnknownEventTypeException extends DomainException {
  constructor(type: string, known: string[]) {
    super(
      'invalid',
      'UNKNOWN_EVENT_TYPE',
      `type: loại sự kiện "${type}" không có trong quy trình / unknown event type "${type}"`,
      { field: 'type', known },
    );
  }
}

export class InvalidPayloadException extends DomainException {
  constructor(type: string, fields: PayloadError[]) {
    super(
      'invalid',
      'INVALID_PAYLOAD',
      `Dữ liệu của ${type} không hợp lệ / invalid payload: ${fields.map((f) => `data.${f.field}: ${f.message}`).join('; ')}`,
      {
        fields: fields.map((f) => ({ ...f, field: `data.${f.field}` })),
      },
    );
  }
}

export class RoleNotAllowedException extends DomainException {
  constructor(type: string, role: string, allowed: string[]) {
    super(
      'forbidden',
      'ROLE_NOT_ALLOWED',
      `Vai trò ${role} không được gửi ${type}; được phép: ${allowed.join(', ')} / role not allowed`,
      { allowed },
    );
  }
}

export class IdempotencyKeyReusedException extends DomainException {
  constructor(key: string) {
    super(
      'conflict',
      'IDEMPOTENCY_KEY_REUSED',
      `Khóa Idempotency-Key "${key}" đã dùng cho một sự kiện khác / the key was used for a different event`,
      { idempotencyKey: key },
    );
  }
}

/**
 * The actor already had `limit` events refused on this case within the last hour
 * (`cases.refusedEventsPerHour`); the event is not recorded. Retry once the oldest of those
 * refusals is an hour old.
 */
export class RefusedEventBudgetExceededException extends DomainException {
  constructor(caseId: string, limit: number, retryAfterSeconds: number) {
    super(
      'rate_limited',
      'CASE_REFUSED_EVENT_BUDGET_EXCEEDED',
      `Bạn đã có ${limit} sự kiện bị từ chối ở hồ sơ ${caseId} trong một giờ qua (giới hạn ${limit}); sự kiện này không được ghi nhận, thử lại sau ${retryAfterSeconds} giây / ` +
        `${limit} of your events on this case were refused within the last hour (the limit); this event was not recorded, retry in ${retryAfterSeconds} s`,
      { caseId, limit, windowSeconds: 3600, retryAfterSeconds },
    );
  }
}

/**
 * The actor already has `limit` events waiting to be applied on this case (a burst sent before
 * the engine could refuse any: the refused-event budget's guard); the event is not recorded.
 */
export class WaitingEventsLimitExceededException extends DomainException {
  constructor(caseId: string, limit: number) {
    super(
      'rate_limited',
      'CASE_WAITING_EVENTS_LIMIT_EXCEEDED',
      `Bạn đã có ${limit} sự kiện đang chờ xử lý ở hồ sơ ${caseId} (giới hạn ${limit}); sự kiện này không được ghi nhận, thử lại sau vài giây / ` +
        `${limit} of your events on this case are still waiting to be applied (the limit); this event was not recorded, retry in a few seconds`,
      { caseId, limit, retryAfterSeconds: 5 },
    );
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
    super(
      'invalid',
      'INVALID_CORRECTION',
      `Yêu cầu sửa số liệu không hợp lệ / invalid correction: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
      { fields },
    );
  }
}
