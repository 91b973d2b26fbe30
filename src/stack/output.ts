/**
 * How the launcher talks to the person at the terminal: one short line per step, with how
 * long it took, and failures that say what to do rather than a stack trace. Kept apart from
 * the logic so every command sounds the same.
 */

/** A failure the user can act on: printed as its message alone, no stack trace. */
export class StackError extends Error {
  override readonly name = 'StackError';
}

const useColour = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const paint =
  (code: number) =>
  (text: string): string =>
    useColour ? `\u001b[${code}m${text}\u001b[0m` : text;

export const green = paint(32);
export const red = paint(31);
export const yellow = paint(33);
export const dim = paint(2);
export const bold = paint(1);

export function say(message: string): void {
  console.log(message);
}

export function warn(message: string): void {
  console.log(`${yellow('!')} ${message}`);
}

/** `  ✓ postgres   started (pid 1234)   1.2s` */
export function done(component: string, message: string, startedAt?: number): void {
  const took = startedAt === undefined ? '' : `  ${dim(seconds(Date.now() - startedAt))}`;
  console.log(`${green('✓')} ${component.padEnd(11)} ${message}${took}`);
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function megabytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

/** A plain left-aligned table: the first row is the header. */
export function table(rows: readonly (readonly string[])[]): string {
  // Colour codes take no room on screen, so they are left out of the width.
  // eslint-disable-next-line no-control-regex
  const visible = (cell: string): number => cell.replace(/\u001b\[\d+m/g, '').length;
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell))));
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - visible(cell)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
