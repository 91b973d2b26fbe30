/**
 * "Stock never negative" is about every moment, not just the end: the run's products are read
 * every second while the load and the faults go on, and the lowest stock seen is kept. A read
 * that hangs (Postgres is frozen on purpose) is skipped, never stacked up.
 */
import type { Db } from '../../../db/client';
import { withTimeout } from '../../../src/stack/readiness';

export class StockWatch {
  readonly lowest = new Map<string, number>();
  samples = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly db: Db,
    private readonly productIds: readonly string[],
  ) {}

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.sample(), intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    while (this.busy) await new Promise((r) => setTimeout(r, 50));
    await this.sample();
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const rows = await withTimeout(
        this.db
          .selectFrom('products')
          .select(['product_id', 'stock'])
          .where('product_id', 'in', [...this.productIds])
          .execute(),
        2000,
        'stock sample',
      );
      this.samples++;
      for (const r of rows) {
        const low = this.lowest.get(r.product_id);
        if (low === undefined || r.stock < low) this.lowest.set(r.product_id, r.stock);
      }
    } catch {
      // Postgres paused or restarting: this sample is skipped.
    } finally {
      this.busy = false;
    }
  }
}
