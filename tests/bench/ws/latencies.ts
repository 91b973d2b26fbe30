/**
 * Delivery latencies: every sample kept (a run has at most a few hundred thousand), sent from
 * the load clients to the parent as typed arrays, merged and sorted once for the percentiles.
 */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export class Latencies {
  private values = new Float64Array(1 << 12);
  count = 0;

  add(ms: number): void {
    if (this.count === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.count++] = ms;
  }

  /** A copy of the samples, to send to the parent. */
  samples(): Float64Array {
    return this.values.slice(0, this.count);
  }
}

/** Nearest-rank percentiles (the same rank as the single-process bench used) over every part. */
export function summarize(parts: readonly Float64Array[]): LatencySummary {
  const all = new Float64Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  all.sort();
  const rank = (p: number) =>
    all.length === 0 ? NaN : all[Math.min(all.length - 1, Math.floor((p / 100) * all.length))]!;
  return { count: all.length, p50: rank(50), p99: rank(99), max: all[all.length - 1] ?? NaN };
}
