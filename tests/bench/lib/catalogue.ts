/**
 * Products of the run's own, inserted straight into Postgres as test fixtures: the demo
 * catalogue has too little stock for a long run, and other people's tests move its stock,
 * which would blur the "stock + reserved + shipped == starting stock" invariant. Several
 * products spread the reserve step's row locks the way a real catalogue does.
 *
 * One product is scarce (2 units): out-of-stock orders ask for 3 of it, which validate
 * rejects whatever else is going on, so its stock never moves.
 */
import type { Db } from '../../../db/client';

export interface BenchProduct {
  productId: string;
  sku: string;
  /** Decimal string, as the API wants it back in an order line. */
  price: string;
  startingStock: number;
}

export interface Catalogue {
  products: BenchProduct[];
  scarce: BenchProduct;
  all: BenchProduct[];
}

export const PLENTY = 1_000_000;
export const SCARCE_STOCK = 2;

export async function createCatalogue(db: Db, count: number, runId: string): Promise<Catalogue> {
  const rows = Array.from({ length: count + 1 }, (_, i) => ({
    sku: i === count ? `BENCH-${runId}-SCARCE` : `BENCH-${runId}-${String(i).padStart(3, '0')}`,
    name: i === count ? 'Bench scarce item' : `Bench item ${i}`,
    price: `${5 + (i % 40)}.${String((i * 37) % 100).padStart(2, '0')}`,
    stock: i === count ? SCARCE_STOCK : PLENTY,
  }));
  const inserted = await db
    .insertInto('products')
    .values(rows)
    .returning(['product_id', 'sku', 'price', 'stock'])
    .execute();
  const all = inserted
    .map((r) => ({ productId: r.product_id, sku: r.sku, price: r.price, startingStock: r.stock }))
    .sort((a, b) => a.sku.localeCompare(b.sku));
  const scarce = all.find((p) => p.sku.endsWith('-SCARCE'));
  if (!scarce) throw new Error('the scarce product was not created');
  return { products: all.filter((p) => p !== scarce), scarce, all };
}
