/**
 * The options of a load run, shared by `npm run bench`, `npm run bench:ceiling` and
 * `npm run chaos` so the three drive the system the same way. Every bound is explicit: a run
 * submits for `duration` seconds (or `orders` orders), then waits at most `drainTimeout`
 * seconds for the stragglers, so it always ends by itself.
 */
import { z } from 'zod';

const count = z.coerce.number().int().min(0);
const percent = z.coerce.number().min(0).max(100);

/** How orders are paced: the same for the saga (through the API) and the ceiling workflow. */
export const pacingShape = {
  rate: z.coerce
    .number()
    .min(0)
    .default(0)
    .describe('orders started per second; 0 = as fast as `concurrency` in flight allows'),
  concurrency: count
    .min(1)
    .default(100)
    .describe('orders in flight at most (submitted, not yet terminal)'),
  duration: z.coerce.number().positive().default(60).describe('seconds of submitting'),
  orders: count.default(0).describe('stop after this many orders (0 = no limit)'),
  warmup: z.coerce
    .number()
    .min(0)
    .default(5)
    .describe('seconds at the start left out of the throughput figure'),
  drainTimeout: z.coerce
    .number()
    .positive()
    .default(120)
    .describe('seconds to wait, after submitting ends, for every order to finish'),
  drainQuiet: z.coerce
    .number()
    .positive()
    .default(60)
    .describe(
      'stop waiting sooner when no order has finished for this many seconds (one is stuck)',
    ),
};

/** What kind of orders a load run submits, as percentages of all orders. */
export const mixShape = {
  declines: percent.default(0).describe("% of orders paid with 'card_declined' (fail at charge)"),
  outOfStock: percent
    .default(0)
    .describe('% of orders for more units than exist (fail at validate)'),
  cancels: percent.default(0).describe('% of orders cancelled (DELETE) right after the 202'),
  cancelWhen: z
    .string()
    .regex(
      /^(accepted|pending|validated|paid|processing)(,(accepted|pending|validated|paid|processing))*$/,
    )
    .default('accepted')
    .describe(
      "when a cancel is sent: 'accepted' (at the 202) or once a status came over the socket " +
        "(pending, validated, paid, processing); a list picks one per order, e.g. 'accepted,paid'",
    ),
};

export const loadShape = {
  ...pacingShape,
  ...mixShape,
  users: count.min(1).default(40).describe('customers registered through the API, one socket each'),
  products: count.min(1).default(20).describe('products created for the run (spreads row locks)'),
  label: z.string().default('').describe('name for the results file'),
  out: z.string().default('bench-results').describe('folder the JSON results are written to'),
  appEnv: z
    .array(z.string().regex(/^[A-Z_][A-Z0-9_]*=.*$/, 'must be KEY=VALUE'))
    .default([])
    .describe('extra KEY=VALUE for the app processes (repeatable), e.g. worker tuning'),
  workerEntry: z
    .string()
    .default('')
    .describe('run this worker entry instead of src/cli/worker.ts (tuning experiments)'),
  keepApps: z
    .boolean()
    .default(false)
    .describe('leave the bench-configured apps running at the end'),
  isolated: z
    .boolean()
    .default(false)
    .describe('a stack of its own on other ports (state in .stack/bench), not the development one'),
  keepEngines: z
    .boolean()
    .default(false)
    .describe('leave the engines this run started running (experiments in a row)'),
};

export type PacingOptions = z.infer<z.ZodObject<typeof pacingShape>>;
export type MixOptions = z.infer<z.ZodObject<typeof mixShape>>;
export type LoadOptions = z.infer<z.ZodObject<typeof loadShape>>;

/** `["A=1", "B=x=y"]` → `{ A: "1", B: "x=y" }`. */
export function envPairs(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}
