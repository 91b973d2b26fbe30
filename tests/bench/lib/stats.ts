/**
 * Latency samples and their percentiles. A run records at most a few hundred thousand
 * samples, so they are kept exactly and sorted once at the end (nearest-rank percentiles):
 * no histogram bucketing error in the figures the targets are checked against.
 */
export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export class Samples {
  private values: number[] = [];

  add(value: number): void {
    if (Number.isFinite(value)) this.values.push(value);
  }

  get count(): number {
    return this.values.length;
  }

  summary(): Summary {
    const sorted = [...this.values].sort((a, b) => a - b);
    const n = sorted.length;
    if (n === 0) return { count: 0, min: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 };
    const rank = (p: number): number => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]!;
    const mean = sorted.reduce((sum, v) => sum + v, 0) / n;
    return {
      count: n,
      min: round(sorted[0]!),
      mean: round(mean),
      p50: round(rank(0.5)),
      p95: round(rank(0.95)),
      p99: round(rank(0.99)),
      max: round(sorted[n - 1]!),
    };
  }
}

/** Milliseconds to two decimals: finer is noise on this machine. */
export function round(value: number, places = 2): number {
  const f = 10 ** places;
  return Math.round(value * f) / f;
}

/** `p50 12.3  p95 40.1  p99 88.0 ms (n=1234)` */
export function formatSummary(s: Summary, unit = 'ms'): string {
  if (s.count === 0) return 'no samples';
  return `p50 ${s.p50.toFixed(1)}  p95 ${s.p95.toFixed(1)}  p99 ${s.p99.toFixed(1)}  max ${s.max.toFixed(1)} ${unit} (n=${s.count})`;
}
