import { DomainException } from '../infrastructure';

/**
 * A campaign has no poverty standard to classify with: it was started before campaigns recorded
 * their rule set and none could be chosen, or the recorded period has no rule file any more.
 */
export class RuleSetUnavailableException extends DomainException {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('conflict', 'RULE_SET_UNAVAILABLE', message, details);
  }
}
