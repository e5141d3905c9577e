import { DomainException } from '../infrastructure';

export class NotificationNotFoundException extends DomainException {
  constructor(id: string) {
    super('not_found', 'NOTIFICATION_NOT_FOUND', `Không tìm thấy thông báo "${id}" / unknown notification "${id}"`, {
      notificationId: id,
    });
  }
}

export class SubscriptionNotFoundException extends DomainException {
  constructor(id: string) {
    super(
      'not_found',
      'SUBSCRIPTION_NOT_FOUND',
      `Không tìm thấy đăng ký nhận thông báo "${id}" / unknown subscription "${id}"`,
      { subscriptionId: id },
    );
  }
}

export class SubscriptionExistsException extends DomainException {
  constructor(unitCode: string, role: string, channel: string, address: string) {
    super(
      'conflict',
      'SUBSCRIPTION_EXISTS',
      `Đã có đăng ký ${channel} ${address} cho ${role} tại ${unitCode} / this subscription already exists`,
      { unitCode, role, channel, address },
    );
  }
}

export class SubscriptionInvalidException extends DomainException {
  constructor(field: string, message: string) {
    super('invalid', 'SUBSCRIPTION_INVALID', `${field}: ${message}`, { fields: [{ field, message }] });
  }
}

export class DeliveryNotFoundException extends DomainException {
  constructor(id: string) {
    super('not_found', 'DELIVERY_NOT_FOUND', `Không tìm thấy lần gửi "${id}" / unknown delivery "${id}"`, {
      deliveryId: id,
    });
  }
}

export class DeliveryNotRetryableException extends DomainException {
  constructor(id: string, status: string) {
    super(
      'conflict',
      'DELIVERY_NOT_RETRYABLE',
      `Chỉ gửi lại được thư đã hỏng (dead); "${id}" đang ở trạng thái ${status} / only dead deliveries can be retried`,
      { deliveryId: id, status },
    );
  }
}
