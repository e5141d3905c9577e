import { DomainException } from '../infrastructure';

export class CampaignNotFoundException extends DomainException {
  constructor(id: string) {
    super('not_found', 'CAMPAIGN_NOT_FOUND', `Không tìm thấy đợt rà soát "${id}" / unknown campaign "${id}"`, {
      campaignId: id,
    });
  }
}

export class CampaignConflictException extends DomainException {
  constructor(message: string, details: Record<string, unknown>) {
    super('conflict', 'CAMPAIGN_CONFLICT', message, details);
  }
}

export class CampaignInvalidException extends DomainException {
  constructor(field: string, message: string) {
    super('invalid', 'CAMPAIGN_INVALID', `${field}: ${message}`, { field });
  }
}
