/**
 * Step 5, notify: sends one of the three customer messages by email (and SMS when the
 * customer has a phone number). The notifier records each message once per order, template
 * and channel, so a retried activity sends nothing twice.
 */
import { formatMoney } from '../../src/domain/money';
import type { OrderWorkflowInput } from '../../src/domain/order';
import type { ActivityDeps } from '../deps';
import { renderTemplate, type TemplateContext, type TemplateName } from './templates';

export type NotificationDetails = Pick<
  TemplateContext,
  'trackingNumber' | 'carrier' | 'estimatedDelivery' | 'deliveredAt'
>;

export function notifyCustomer(deps: ActivityDeps) {
  return async function notifyCustomer(
    input: OrderWorkflowInput,
    template: TemplateName,
    details: NotificationDetails = {},
  ): Promise<{ sent: number }> {
    const customer = await deps.db
      .selectFrom('users')
      .select(['email', 'full_name', 'phone'])
      .where('user_id', '=', input.userId)
      .executeTakeFirst();
    if (!customer) return { sent: 0 };
    const products = await deps.db
      .selectFrom('products')
      .select(['product_id', 'name'])
      .where(
        'product_id',
        'in',
        input.items.map((i) => i.productId),
      )
      .execute();
    const names = new Map(products.map((p) => [p.product_id, p.name]));
    const message = renderTemplate(template, {
      customerName: customer.full_name ?? customer.email,
      orderId: input.orderId,
      total: formatMoney(input.totalCents),
      items: input.items.map((i) => ({
        name: names.get(i.productId) ?? i.productId,
        quantity: i.quantity,
        price: formatMoney(i.unitPriceCents * i.quantity),
      })),
      ...details,
    });
    let sent = 0;
    const base = { orderId: input.orderId, template, subject: message.subject };
    if (
      await deps.notifier.send({
        ...base,
        channel: 'email',
        recipient: customer.email,
        body: message.html,
      })
    )
      sent++;
    if (
      customer.phone &&
      (await deps.notifier.send({
        ...base,
        channel: 'sms',
        recipient: customer.phone,
        body: message.sms,
      }))
    )
      sent++;
    return { sent };
  };
}
