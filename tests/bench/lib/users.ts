/**
 * The simulated customers: registered and logged in through the API, as a real customer
 * would be. Password hashing (scrypt, deliberately slow) dominates this phase, so a few run at
 * once rather than all: the machine has two cores and the API hashes on its thread pool.
 */
import { randomUUID } from 'node:crypto';
import { benchIp, type ApiClient } from './http';

export interface BenchUser {
  index: number;
  userId: string;
  email: string;
  password: string;
  ip: string;
  access: string;
}

const PARALLEL = 4;
const RETRY_FOR_MS = 60_000;

export async function createUsers(
  api: ApiClient,
  count: number,
  runId: string,
  onProgress?: (done: number) => void,
): Promise<BenchUser[]> {
  const users: BenchUser[] = new Array<BenchUser>(count);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      users[index] = await registerAndLogin(api, index, runId);
      onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, count) }, worker));
  return users;
}

async function registerAndLogin(api: ApiClient, index: number, runId: string): Promise<BenchUser> {
  const email = `bench-${runId}-${index}-${randomUUID().slice(0, 8)}@example.com`;
  const password = `pw-${randomUUID()}`;
  const ip = benchIp();
  const registered = await api.withRetries(
    'POST /auth/register',
    'POST',
    '/api/v1/auth/register',
    { body: { email, password, full_name: `Bench Customer ${index}` }, ip },
    RETRY_FOR_MS,
  );
  if (registered.response?.status !== 201) {
    throw new Error(`register failed: ${describe(registered.response)}`);
  }
  const user = {
    index,
    userId: String(registered.response.body.user_id),
    email,
    password,
    ip,
    access: '',
  };
  user.access = await login(api, user);
  return user;
}

/** A fresh access token (also used when a socket is closed for an expired token). */
export async function login(
  api: ApiClient,
  user: Pick<BenchUser, 'email' | 'password' | 'ip'>,
): Promise<string> {
  const { response } = await api.withRetries(
    'POST /auth/login',
    'POST',
    '/api/v1/auth/login',
    { body: { email: user.email, password: user.password }, ip: user.ip },
    RETRY_FOR_MS,
  );
  if (response?.status !== 200) throw new Error(`login failed: ${describe(response)}`);
  return String(response.body.access_token);
}

function describe(response: { status: number; body: unknown } | undefined): string {
  return response
    ? `${response.status} ${JSON.stringify(response.body).slice(0, 200)}`
    : 'no answer';
}
