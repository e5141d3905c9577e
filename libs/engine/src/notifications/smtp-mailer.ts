import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  /** `<…@…>`: the same for every attempt of a delivery, so a resend after a crash is recognisable. */
  messageId: string;
  headers: Record<string, string>;
}

/** E-mail over SMTP (nodemailer), to the relay at `notifications.smtpUrl` / `SMTP_URL`. */
@Injectable()
export class SmtpMailer implements OnModuleDestroy {
  private transport?: Transporter;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get configured(): boolean {
    return !!this.config.notifications.smtpUrl;
  }

  /** The domain of the sender address, for Message-IDs. */
  get domain(): string {
    return /@([^>\s]+)/.exec(this.config.notifications.from)?.[1] ?? 'rasoat.local';
  }

  async send(message: MailMessage): Promise<void> {
    if (!this.config.notifications.smtpUrl)
      throw new Error('no SMTP relay configured (notifications.smtpUrl / SMTP_URL)');
    this.transport ??= createTransport({
      url: this.config.notifications.smtpUrl,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 30_000,
    });
    await this.transport.sendMail({
      from: this.config.notifications.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html ?? undefined,
      messageId: message.messageId,
      headers: message.headers,
    });
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
