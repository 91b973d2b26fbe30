/**
 * Money is never a float. Amounts travel as decimal strings with two places ("19.99", the
 * seed's DECIMAL(10,2)) at the edges and in Postgres, and as integer minor units (cents)
 * inside the code, where sums and comparisons happen.
 */
export type Cents = number;

const DECIMAL = /^(0|[1-9]\d{0,7})(\.\d{1,2})?$/;

/** Parses "19.99", "19.9", "19" (or a JSON number with at most two decimals) into cents. */
export function parseMoney(value: string | number): Cents {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`not a money amount with at most 2 decimals: ${text}`);
  const whole = Number(match[1]);
  const fraction = (match[2] ?? '.').slice(1).padEnd(2, '0');
  return whole * 100 + Number(fraction);
}

export function isMoney(value: string | number): boolean {
  return DECIMAL.test(typeof value === 'number' ? String(value) : value.trim());
}

/** Cents to the canonical decimal string, "1999" -> "19.99". */
export function formatMoney(cents: Cents): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`bad cents: ${cents}`);
  const whole = Math.floor(cents / 100);
  const fraction = String(cents % 100).padStart(2, '0');
  return `${whole}.${fraction}`;
}
