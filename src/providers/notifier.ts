/**
 * Where customer messages go. Every message is recorded in the `notifications` table, unique
 * per order, template and channel, so a retried activity sends nothing twice. Without
 * SMTP_URL the notifier is a simulator that only records; with it, emails also go out over
 * SMTP (SMS stays simulated). The SMTP Message-ID is derived from the same unique triple, so
 * in the rare case of a worker dying between the SMTP accept and the insert, the resent copy
 * carries the same id and mail clients fold it.
 */
import nodemailer from 'nodemailer';
import type { Db } from '../../db/client';
import { simulateCall, type SimulationSettings } from './simulation';

export interface OutgoingMessage {
  orderId: string;
  template: string;
  channel: 'email' | 'sms';
  recipient: string;
  subject: string;
  body: string;
}

export interface Notifier {
  /** Returns false when this message had already been sent. */
  send(message: OutgoingMessage): Promise<boolean>;
}

/** Sends one email; nodemailer's SMTP transport in production, anything in tests. */
export interface MailTransport {
  sendMail(mail: {
    from: string;
    to: string;
    subject: string;
    html: string;
    messageId: string;
  }): Promise<unknown>;
}

export function smtpTransport(url: string): MailTransport {
  return nodemailer.createTransport(url);
}

export interface NotifierOptions extends SimulationSettings {
  transport?: MailTransport;
  from?: string;
}

export function createNotifier(db: Db, options: NotifierOptions): Notifier {
  return {
    async send(message) {
      const already = await db
        .selectFrom('notifications')
        .select('notification_id')
        .where('order_id', '=', message.orderId)
        .where('template', '=', message.template)
        .where('channel', '=', message.channel)
        .executeTakeFirst();
      if (already) return false;

      if (options.transport && message.channel === 'email') {
        await options.transport.sendMail({
          from: options.from ?? 'orders@localhost',
          to: message.recipient,
          subject: message.subject,
          html: message.body,
          messageId: `<${message.orderId}.${message.template}.${message.channel}@order-platform>`,
        });
      } else {
        await simulateCall('notifier', options);
      }

      const row = await db
        .insertInto('notifications')
        .values({
          order_id: message.orderId,
          template: message.template,
          channel: message.channel,
          recipient: message.recipient,
          subject: message.subject,
          body: message.body,
        })
        .onConflict((oc) => oc.columns(['order_id', 'template', 'channel']).doNothing())
        .returning('notification_id')
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
