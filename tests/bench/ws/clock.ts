/**
 * The bench's clock, in milliseconds: CLOCK_MONOTONIC (`process.hrtime`), which on Linux is
 * one clock for every process of the machine. The publisher (the parent process) stamps each
 * change with it and the load-client processes read it again on receipt, so a latency measured
 * across two processes carries no skew between them. (`performance.timeOrigin` would not do:
 * it is each process's wall-clock start, and the wall clock may be adjusted between starts.)
 * The parent checks once per load client that the two readings agree (clients.ts).
 */
export const now = (): number => Number(process.hrtime.bigint()) / 1e6;
