/**
 * `npm run db:seed`: demo data for a fresh stack: a catalogue of products with stock, a demo
 * customer and an admin. Idempotent: existing rows (by SKU or email) are left as they are.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config';
import { hashPassword } from '../src/auth/password';
import { createDb, type Db } from './client';

export const DEMO_USER = {
  email: 'demo@example.com',
  password: 'demo-password-1',
  full_name: 'Demo Customer',
};
export const DEMO_ADMIN = {
  email: 'admin@example.com',
  password: 'admin-password-1',
  full_name: 'Demo Admin',
};

export const DEMO_PRODUCTS = [
  {
    product_id: '8f1d4c1e-7c51-4f55-9b57-0d6f6f0a0001',
    sku: 'MUG-001',
    name: 'Ceramic mug',
    price: '12.50',
    stock: 1000,
  },
  {
    product_id: '8f1d4c1e-7c51-4f55-9b57-0d6f6f0a0002',
    sku: 'TEE-001',
    name: 'Cotton T-shirt',
    price: '19.99',
    stock: 1000,
  },
  {
    product_id: '8f1d4c1e-7c51-4f55-9b57-0d6f6f0a0003',
    sku: 'BAG-001',
    name: 'Canvas tote bag',
    price: '24.00',
    stock: 500,
  },
  {
    product_id: '8f1d4c1e-7c51-4f55-9b57-0d6f6f0a0004',
    sku: 'PEN-001',
    name: 'Fountain pen',
    price: '45.90',
    stock: 200,
  },
  {
    product_id: '8f1d4c1e-7c51-4f55-9b57-0d6f6f0a0005',
    sku: 'LMP-001',
    name: 'Desk lamp',
    price: '89.00',
    stock: 50,
  },
  {
    product_id: '8f1d4c1e-7c51-4f55-9b57-0d6f6f0a0006',
    sku: 'LTD-001',
    name: 'Limited print (3 left)',
    price: '150.00',
    stock: 3,
  },
] as const;

export async function seedDemoData(db: Db): Promise<void> {
  await db
    .insertInto('products')
    .values(DEMO_PRODUCTS.map((p) => ({ ...p })))
    .onConflict((oc) => oc.column('sku').doNothing())
    .execute();
  for (const [who, role] of [
    [DEMO_USER, 'user'],
    [DEMO_ADMIN, 'admin'],
  ] as const) {
    const exists = await db
      .selectFrom('users')
      .select('user_id')
      .where('email', '=', who.email)
      .executeTakeFirst();
    if (exists) continue;
    await db
      .insertInto('users')
      .values({
        email: who.email,
        full_name: who.full_name,
        role,
        password_hash: await hashPassword(who.password),
      })
      .onConflict((oc) => oc.column('email').doNothing())
      .execute();
  }
}

async function main(): Promise<void> {
  const db = createDb(loadConfig());
  try {
    await seedDemoData(db);
    console.log(
      `seeded ${DEMO_PRODUCTS.length} products, ${DEMO_USER.email} and ${DEMO_ADMIN.email}`,
    );
  } finally {
    await db.destroy();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((err: unknown) => {
    console.error('seed failed', err);
    process.exit(1);
  });
}
