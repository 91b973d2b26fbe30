/** CPU and memory of a process from /proc, and this process's open-file limit. */
import { readFileSync } from 'node:fs';

export interface ProcSample {
  cpuSeconds: number;
  /** Of which in the kernel (system time): on loopback, TCP delivery to the client too. */
  systemSeconds: number;
  rssBytes: number;
}

const TICKS_PER_SECOND = 100;

export function sampleProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  const rssLine = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS'));
  return {
    cpuSeconds: (user + system) / TICKS_PER_SECOND,
    systemSeconds: system / TICKS_PER_SECOND,
    rssBytes: Number(rssLine?.split(/\s+/)[1] ?? 0) * 1024,
  };
}

/** Share of one core used between two samples `seconds` apart, in total and in the kernel. */
export function coresBetween(before: ProcSample, after: ProcSample, seconds: number) {
  return {
    cores: (after.cpuSeconds - before.cpuSeconds) / seconds,
    kernelCores: (after.systemSeconds - before.systemSeconds) / seconds,
  };
}

/** The process's open-file limit, from /proc (Node has no getrlimit). */
export function openFileLimits(): { soft: number; hard: number } {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft = '1024', hard = '1024'] = line?.split(/\s+/).slice(3, 5) ?? [];
  const value = (v: string) => (v === 'unlimited' ? Infinity : Number(v));
  return { soft: value(soft), hard: value(hard) };
}
