/**
 * CPU and memory of every stack process during a run, from /proc: the pid files the launcher
 * writes (`.stack/pids/<name>.pid`, re-read at every sample, so a restarted process is
 * followed), each process taken with its descendants (Postgres backends, helper processes).
 *
 * - CPU: user + system ticks of the live members of each tree, summed between samples; as a
 *   percentage of one core over the run. Children that exit between two samples are missed,
 *   which only matters for short-lived Postgres backends (the apps keep pools).
 * - Memory: resident set (RSS) of the main process, and PSS of the whole tree (shared pages
 *   counted once), sampled every interval: first, max and last, and a coarse timeline for
 *   soak runs (is the API's RSS flat?).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { round } from './stats';

interface Stat {
  pid: number;
  ppid: number;
  ticks: number;
  startTicks: number;
  rssBytes: number;
}

export interface ProcessFigures {
  /** Average CPU over the run, % of one core. */
  cpuPercent: number;
  cpuSeconds: number;
  /**
   * CPU per finished order, ms: on a shared machine the steadier figure, since throughput
   * depends on how much CPU the others leave, while the cost of one order mostly does not.
   */
  cpuMsPerOrder: number | null;
  rssMb: { first: number; max: number; last: number };
  treePssMb: { first: number; max: number; last: number };
  /** Tree PSS every ~30 s, MB. */
  timeline: number[];
  /** Main process RSS every ~30 s, MB. */
  rssTimeline: number[];
  /**
   * Soaks (8 or more timeline points): the median RSS of the last quarter of the run against
   * that of the second quarter (after start-up and warm-up), in %. Flat is within ±10.
   */
  rssDriftPercent: number | null;
  restarts: number;
}

export type ProcessReport = Record<string, ProcessFigures>;

interface Track {
  pid: number;
  ticks: number;
  prevTicks: Map<number, number>;
  rss: number[];
  pss: number[];
  restarts: number;
}

const CLK_TCK = clockTicks();
const PAGE = 4096;

export class ProcSampler {
  private readonly tracks = new Map<string, Track>();
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private lastSampleTicks = 0;
  private samples = 0;

  /**
   * `pidDirs`: folders of `<name>.pid` files, each with a prefix for the names it holds;
   * `extra`: processes the bench started itself (the ceiling worker), by name.
   */
  constructor(
    private readonly pidDirs: readonly { dir: string; prefix?: string }[],
    private readonly extra: () => [string, number][] = () => [],
    private readonly intervalMs = 2000,
  ) {}

  start(): void {
    this.startedAt = Date.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  /** `finished`: orders (or workflows) finished while sampling, for the CPU cost per order. */
  stop(finished = 0): ProcessReport {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const seconds = Math.max(0.001, (Date.now() - this.startedAt) / 1000);
    const every = Math.max(1, Math.round(30_000 / this.intervalMs));
    const report: ProcessReport = {};
    for (const [name, t] of [...this.tracks].sort(([a], [b]) => a.localeCompare(b))) {
      const cpuSeconds = t.ticks / CLK_TCK;
      report[name] = {
        cpuPercent: round((cpuSeconds / seconds) * 100, 1),
        cpuSeconds: round(cpuSeconds, 1),
        cpuMsPerOrder: finished > 0 ? round((cpuSeconds * 1000) / finished, 1) : null,
        rssMb: spread(t.rss),
        treePssMb: spread(t.pss),
        timeline: t.pss.filter((_, i) => i % every === 0).map((b) => round(b / 2 ** 20, 0)),
        rssTimeline: t.rss.filter((_, i) => i % every === 0).map((b) => round(b / 2 ** 20, 0)),
        rssDriftPercent: drift(t.rss),
        restarts: t.restarts,
      };
    }
    return report;
  }

  private sample(): void {
    this.samples++;
    const stats = readAll();
    const children = new Map<number, number[]>();
    for (const s of stats.values()) {
      const list = children.get(s.ppid) ?? [];
      list.push(s.pid);
      children.set(s.ppid, list);
    }
    const nowTicks = uptimeTicks();
    for (const [name, pid] of this.pids()) {
      const root = stats.get(pid);
      if (!root) continue;
      let track = this.tracks.get(name);
      if (!track) {
        track = { pid, ticks: 0, prevTicks: new Map(), rss: [], pss: [], restarts: 0 };
        this.tracks.set(name, track);
      } else if (track.pid !== pid) {
        track.pid = pid;
        track.restarts++;
      }
      // The bench's own children are the daemons it started (detached, but still its
      // children): they are counted under their own names, not twice.
      const tree = name === 'bench' ? [pid] : descendants(pid, children);
      const prev = track.prevTicks;
      const next = new Map<number, number>();
      let pss = 0;
      for (const member of tree) {
        const s = stats.get(member);
        if (!s) continue;
        next.set(member, s.ticks);
        // A process born since the last sample counts from zero; one already there from its
        // last reading; on the very first sample everything is the baseline.
        const base =
          prev.get(member) ??
          (this.samples > 1 && s.startTicks >= this.lastSampleTicks ? 0 : s.ticks);
        track.ticks += Math.max(0, s.ticks - base);
        pss += pssBytes(member) ?? s.rssBytes;
      }
      track.prevTicks = next;
      track.rss.push(root.rssBytes);
      track.pss.push(pss);
    }
    this.lastSampleTicks = nowTicks;
  }

  private pids(): [string, number][] {
    const found: [string, number][] = [['bench', process.pid], ...this.extra()];
    for (const { dir, prefix = '' } of this.pidDirs) {
      let files: string[] = [];
      try {
        files = readdirSync(dir).filter((f) => f.endsWith('.pid'));
      } catch {
        continue;
      }
      for (const file of files) {
        const pid = Number.parseInt(readText(path.join(dir, file)) ?? '', 10);
        if (Number.isInteger(pid) && pid > 0) found.push([prefix + file.slice(0, -4), pid]);
      }
    }
    return found;
  }
}

function spread(bytes: number[]): { first: number; max: number; last: number } {
  const mb = (b: number): number => round(b / 2 ** 20, 1);
  return {
    first: mb(bytes[0] ?? 0),
    max: mb(bytes.reduce((m, b) => Math.max(m, b), 0)),
    last: mb(bytes.at(-1) ?? 0),
  };
}

function descendants(root: number, children: Map<number, number[]>): number[] {
  const out = [root];
  for (let i = 0; i < out.length && i < 10_000; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

function readAll(): Map<number, Stat> {
  const stats = new Map<number, Stat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const text = readText(`/proc/${entry}/stat`);
    if (!text) continue;
    // Field 2, the command name, is in parentheses and may contain spaces.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    if (f[0] === 'Z' || f[0] === 'X') continue;
    stats.set(Number(entry), {
      pid: Number(entry),
      ppid: Number(f[1]),
      ticks: Number(f[11]) + Number(f[12]),
      startTicks: Number(f[19]),
      rssBytes: Number(f[21]) * PAGE,
    });
  }
  return stats;
}

function pssBytes(pid: number): number | undefined {
  const match = /^Pss:\s+(\d+) kB/m.exec(readText(`/proc/${pid}/smaps_rollup`) ?? '');
  return match?.[1] ? Number(match[1]) * 1024 : undefined;
}

function uptimeTicks(): number {
  const seconds = Number((readText('/proc/uptime') ?? '0').split(' ')[0]);
  return seconds * CLK_TCK;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** Median of the last quarter against the median of the second quarter, %; null if short. */
function drift(samples: readonly number[]): number | null {
  if (samples.length < 8) return null;
  const quarter = Math.floor(samples.length / 4);
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const settled = median(samples.slice(quarter, 2 * quarter));
  const late = median(samples.slice(samples.length - quarter));
  return settled > 0 ? round(((late - settled) / settled) * 100, 1) : null;
}
