/**
 * Command-line options for the bench commands, read the same way for each: a zod object whose
 * keys are camelCase option names. Each key can be given as a flag (`--drain-timeout 90`,
 * `--drain-timeout=90`, boolean flags bare) or an environment variable (BENCH_DRAIN_TIMEOUT),
 * the flag winning; array options take every occurrence (`--app-env A=1 --app-env B=2`).
 * One parser, so `--help` and the error messages look alike in every command.
 */
import { z } from 'zod';

type Shape = Record<string, z.ZodType>;

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const envName = (key: string): string =>
  `BENCH_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** Unwraps defaults and optionals to tell a boolean or array option from the rest. */
function baseType(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (let i = 0; i < 5; i++) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodOptional) {
      current = current.unwrap() as z.ZodType;
    } else break;
  }
  return current;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseOptions<S extends Shape>(
  command: string,
  shape: S,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<S>> {
  const schema = z.object(shape);
  const byFlag = new Map(Object.keys(shape).map((key) => [kebab(key), key]));
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(shape)) {
    const fromEnv = env[envName(key)];
    if (fromEnv === undefined || fromEnv === '') continue;
    raw[key] = baseType(shape[key]!) instanceof z.ZodArray ? fromEnv.split(',') : fromEnv;
  }
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') throw new UsageError(usage(command, shape));
    if (!arg.startsWith('--'))
      throw new UsageError(`unexpected argument ${arg}\n\n${usage(command, shape)}`);
    const [flag = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
    const key = byFlag.get(flag);
    if (!key) throw new UsageError(`unknown option --${flag}\n\n${usage(command, shape)}`);
    const type = baseType(shape[key]!);
    let value: string;
    if (inline !== undefined) value = inline;
    else if (type instanceof z.ZodBoolean) value = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`--${flag} needs a value`);
      value = next;
      i++;
    }
    if (type instanceof z.ZodArray) {
      // The command line replaces the environment's list rather than adding to it.
      const list = seen.has(key) ? (raw[key] as string[]) : [];
      raw[key] = [...list, value];
    } else raw[key] = type instanceof z.ZodBoolean ? value !== 'false' : value;
    seen.add(key);
  }
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string' && baseType(shape[key]!) instanceof z.ZodBoolean)
      raw[key] = value === 'true' || value === '1';
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `  --${kebab(String(i.path[0]))}: ${i.message}`,
    );
    throw new UsageError(`invalid options:\n${problems.join('\n')}\n\n${usage(command, shape)}`);
  }
  return parsed.data;
}

function usage(command: string, shape: Shape): string {
  const lines = Object.entries(shape).map(([key, schema]) => {
    const type = baseType(schema);
    const arg = type instanceof z.ZodBoolean ? '' : ' <value>';
    const flag = `--${kebab(key)}${arg}`.padEnd(30);
    return `  ${flag} ${schema.description ?? ''} (env ${envName(key)})`;
  });
  return `usage: npm run ${command} -- [options]\n\n${lines.join('\n')}`;
}
