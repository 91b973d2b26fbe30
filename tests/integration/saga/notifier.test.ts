/**
 * Customer messages: sent once per order, template and channel however often the notify
 * activity runs, over SMTP when a transport is configured.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createNotifier, type MailTransport } from '../../../src/providers/notifier';
import { insertNewOrder } from '../../../db/queries/orders';
import { anOrder } from '../../support/orders';
import { createCustomer, createProduct, realClients } from '../../support/services';

const clients = realClients();
afterAll(() => clients.close());

describe('notifier', () => {
  it('emails over SMTP once, with a stable Message-ID, and records the message', async () => {
    const userId = await createCustomer(clients.db);
    const productId = await createProduct(clients.db, 5, '12.50');
    const order = anOrder({ userId, items: [{ productId, quantity: 1, unitPriceCents: 1250 }] });
    await insertNewOrder(clients.db, order);
    const sent: Parameters<MailTransport['sendMail']>[0][] = [];
    const notifier = createNotifier(clients.db, {
      latencyMs: 0,
      transientFailureRate: 0,
      transport: { sendMail: async (mail) => sent.push(mail) },
      from: 'shop@example.com',
    });
    const message = {
      orderId: order.orderId,
      template: 'order_confirmation',
      channel: 'email' as const,
      recipient: 'customer@example.com',
      subject: 'Order confirmed',
      body: '<p>hi</p>',
    };

    expect(await notifier.send(message)).toBe(true);
    expect(await notifier.send(message)).toBe(false);

    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ from: 'shop@example.com', to: 'customer@example.com' });
    expect(sent[0]!.messageId).toBe(`<${order.orderId}.order_confirmation.email@order-platform>`);
    const rows = await clients.db
      .selectFrom('notifications')
      .select('template')
      .where('order_id', '=', order.orderId)
      .execute();
    expect(rows).toHaveLength(1);
  });
});
