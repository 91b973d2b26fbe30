/**
 * The seed's three customer messages (order_confirmation, order_shipped, order_delivered),
 * rendered as HTML email plus a short SMS text. Every interpolated value is escaped.
 */
export const TEMPLATES = ['order_confirmation', 'order_shipped', 'order_delivered'] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export interface TemplateContext {
  customerName: string;
  orderId: string;
  total: string;
  items: { name: string; quantity: number; price: string }[];
  trackingNumber?: string;
  carrier?: string;
  estimatedDelivery?: string;
  deliveredAt?: string;
}

export interface RenderedMessage {
  subject: string;
  html: string;
  sms: string;
}

function escape(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body style="font-family:sans-serif">${body}<p style="color:#888">Thank you for shopping with us.</p></body></html>`;
}

const render: Record<TemplateName, (c: TemplateContext) => RenderedMessage> = {
  order_confirmation: (c) => ({
    subject: `Order confirmed: ${c.orderId.slice(0, 8)}`,
    html: page(
      'Order confirmed',
      `<h1>Thank you, ${escape(c.customerName)}!</h1><p>Your order <b>${escape(c.orderId)}</b> is confirmed.</p>` +
        `<table>${c.items.map((i) => `<tr><td>${escape(i.quantity)} × ${escape(i.name)}</td><td>${escape(i.price)}</td></tr>`).join('')}</table>` +
        `<p>Total charged: <b>${escape(c.total)}</b></p>`,
    ),
    sms: `Order ${c.orderId.slice(0, 8)} confirmed, total ${c.total}.`,
  }),
  order_shipped: (c) => ({
    subject: `Your order ${c.orderId.slice(0, 8)} has shipped`,
    html: page(
      'Order shipped',
      `<h1>It is on its way, ${escape(c.customerName)}!</h1><p>Carrier: ${escape(c.carrier ?? '')}<br>` +
        `Tracking number: <b>${escape(c.trackingNumber ?? '')}</b><br>Estimated delivery: ${escape(c.estimatedDelivery ?? '')}</p>`,
    ),
    sms: `Order ${c.orderId.slice(0, 8)} shipped with ${c.carrier ?? ''}, tracking ${c.trackingNumber ?? ''}.`,
  }),
  order_delivered: (c) => ({
    subject: `Delivered: order ${c.orderId.slice(0, 8)}`,
    html: page(
      'Order delivered',
      `<h1>Delivered!</h1><p>Your order <b>${escape(c.orderId)}</b> was delivered on ${escape(c.deliveredAt ?? '')}.</p>`,
    ),
    sms: `Order ${c.orderId.slice(0, 8)} has been delivered.`,
  }),
};

export function renderTemplate(name: TemplateName, context: TemplateContext): RenderedMessage {
  return render[name](context);
}
