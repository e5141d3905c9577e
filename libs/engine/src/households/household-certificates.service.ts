import { Injectable } from '@nestjs/common';
import type { Actor } from '@rasoat/contracts';
import { HouseholdCaseService } from './household-case.service';
import { CERTIFIABLE_CLASSES } from './household-classification';
import type { CertificateBody } from './household-requests';
import { householdView, type HouseholdChange } from './household-view';
import { HouseholdConflictException } from './households.exception';
import { HouseholdsRepository } from './households.repository';

/** Certificates of poor and near-poor households (operation `certify`, after recognition: the one change the lock allows). */
@Injectable()
export class HouseholdCertificatesService {
  constructor(
    private readonly households: HouseholdsRepository,
    private readonly cases: HouseholdCaseService,
  ) {}

  /** Records the certificate number of a poor or near-poor household; numbers are unique within the case. */
  async certify(caseId: string, code: string, actor: Actor, body: CertificateBody): Promise<HouseholdChange> {
    return this.cases.change(caseId, actor, 'certify', async (tx, c, now) => {
      const row = await this.cases.household(tx, caseId, code);
      if (row.classification === null || !CERTIFIABLE_CLASSES.includes(row.classification)) {
        throw new HouseholdConflictException(
          'HOUSEHOLD_NOT_CERTIFIABLE',
          `Hộ ${row.code} được phân loại "${row.classification ?? 'chưa phân loại'}": chỉ cấp giấy chứng nhận cho hộ nghèo, hộ cận nghèo / certificates are only for poor and near-poor households`,
          { code: row.code, classification: row.classification },
        );
      }
      if (row.certificate_number === body.number) return { household: householdView(row, c.personal), changed: false };
      const other = await this.households.certificateHolder(tx, caseId, body.number, row.id);
      if (other !== undefined) {
        throw new HouseholdConflictException(
          'CERTIFICATE_NUMBER_USED',
          `Số giấy chứng nhận "${body.number}" đã cấp cho hộ ${other} / the certificate number is already used by household ${other}`,
          { code: other },
        );
      }
      await this.households.writeCertificate(tx, row.id, body.number, now);
      await this.cases.history(tx, c, now, actor, 'certify', {
        code: row.code,
        classification: row.classification,
        replaced: row.certificate_number !== null,
        summary: `Ghi giấy chứng nhận ${row.classification === 'poor' ? 'hộ nghèo' : 'hộ cận nghèo'} cho hộ ${row.code}`,
      });
      return { household: householdView(await this.cases.household(tx, caseId, row.code), c.personal), changed: true };
    });
  }
}
