import type { HouseholdOperation } from '@rasoat/workflow-core';
import { DomainException } from '../infrastructure';

/** Vietnamese names of the household operations, for messages. */
export const OPERATION_NAMES_VI: Readonly<Record<HouseholdOperation, string>> = Object.freeze({
  import: 'nhập danh sách hộ',
  edit: 'sửa, thêm hộ',
  survey: 'ghi kết quả rà soát (chấm điểm)',
  vote: 'ghi kết quả biểu quyết họp dân',
  complain: 'tiếp nhận khiếu nại',
  recheck: 'ghi kết quả phúc tra',
  certify: 'ghi số giấy chứng nhận',
});

/** A field-level problem of a request, named by its path (`votes[2].agree`, `deprivations[0]`). */
export interface FieldIssue {
  field: string;
  message: string;
}

export class HouseholdRoleNotAllowedException extends DomainException {
  constructor(operation: HouseholdOperation, role: string, allowed: readonly string[]) {
    super(
      'forbidden',
      'HOUSEHOLD_ROLE_NOT_ALLOWED',
      `Vai trò ${role} không được ${OPERATION_NAMES_VI[operation]} ('${operation}'); được phép: ${allowed.join(', ')} / role ${role} may not ${operation} households; allowed: ${allowed.join(', ')}`,
      { operation, role, allowed },
    );
  }
}

/** The case's current step does not open the operation. */
export class HouseholdOperationClosedException extends DomainException {
  constructor(operation: HouseholdOperation, steps: { id: string; label: string }[], open: readonly string[]) {
    const labels = steps.map((s) => `'${s.label}'`).join(', ');
    const ids = steps.map((s) => s.id).join(', ');
    const openList = open.length > 0 ? open.join(', ') : '(không có / none)';
    super(
      'conflict',
      'HOUSEHOLD_OPERATION_CLOSED',
      `Bước ${labels} không cho phép '${operation}' (${OPERATION_NAMES_VI[operation]}); đang mở: ${openList} / the step ${ids} does not allow ${operation}; open: ${openList}`,
      { operation, steps: steps.map((s) => s.id), open },
    );
  }
}

/** The lists were recognised: no change but certificates. */
export class HouseholdsLockedException extends DomainException {
  constructor(operation: HouseholdOperation) {
    super(
      'conflict',
      'HOUSEHOLDS_LOCKED',
      'Danh sách đã được công nhận, mọi thay đổi qua rà soát thường xuyên / lists recognised and locked; changes go through the regular in-year review',
      { operation },
    );
  }
}

export class HouseholdNotFoundException extends DomainException {
  constructor(caseId: string, code: string) {
    super(
      'not_found',
      'HOUSEHOLD_NOT_FOUND',
      `Không có hộ mã "${code}" trong danh sách của hồ sơ / no household "${code}" on the case's list`,
      { caseId, code },
    );
  }
}

export class ComplaintNotFoundException extends DomainException {
  constructor(caseId: string, complaintId: string) {
    super(
      'not_found',
      'COMPLAINT_NOT_FOUND',
      `Không tìm thấy khiếu nại "${complaintId}" của hồ sơ / unknown complaint "${complaintId}"`,
      { caseId, complaintId },
    );
  }
}

/** Bad household data (survey answers, identity fields, votes): every problem named by its field. */
export class HouseholdInvalidException extends DomainException {
  constructor(fields: FieldIssue[]) {
    super(
      'invalid',
      'HOUSEHOLD_INVALID',
      `Dữ liệu hộ không hợp lệ / invalid household data: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
      { fields },
    );
  }
}

/** A request that contradicts the stored state (a code already used, a complaint already resolved otherwise, a certificate for a household not poor). */
export class HouseholdConflictException extends DomainException {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super('conflict', code, message, details);
  }
}
