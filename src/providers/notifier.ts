/**
 * Where customer messages go. The simulator records every message in the `notifications`
 * table (unique per order, template and channel, so a retry sends nothing twice); a deployment
 * with SMTP_URL configured would plug an SMTP notifier in behind the same interface.
 */
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

export function createRecordingNotifier(db: Db, settings: SimulationSettings): Notifier {
  return {
    async send(message) {
      await simulateCall('notifier', settings);
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
