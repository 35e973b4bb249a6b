/**
 * Where the CPU went during a load phase, from /proc (Linux; elsewhere every figure is null).
 * Latency percentiles on a shared two-core VM move a lot from run to run (other tenants, steal);
 * CPU milliseconds per request move much less, so the report carries both, and the steal.
 */
import fs from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, fixed at 100 on Linux for /proc/*/stat

export interface CpuSnapshot {
  at: number;
  /** CPU seconds of each watched process (user + system) */
  processes: Map<number, number>;
  /** CPU seconds of each PostgreSQL process */
  postgres: Map<number, number>;
  /** CPU seconds of this process: the simulated annotators (and, for the baseline, the app code) */
  self: number;
  /** machine-wide jiffies: busy, idle and stolen by the hypervisor */
  machine: { busy: number; idle: number; steal: number } | null;
}

function processSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command may contain spaces and parentheses: fields start after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

function postgresSeconds(): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const pid of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const seconds = processSeconds(Number(pid));
      if (seconds !== null) out.set(Number(pid), seconds);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return out;
}

/**
 * CPU spent between two snapshots by a set of processes that comes and goes (pooled backends close
 * when idle): a process in both counts its difference, a new one all of its time; one that ended in
 * between is lost, so this is a lower bound.
 */
export function spentBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

function machineJiffies(): CpuSnapshot['machine'] {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
    return { busy: user! + nice! + system! + irq! + softirq!, idle: idle! + iowait!, steal: steal! };
  } catch {
    return null;
  }
}

export function snapshot(pids: readonly number[]): CpuSnapshot {
  const processes = new Map<number, number>();
  for (const pid of pids) processes.set(pid, processSeconds(pid) ?? NaN);
  const own = process.cpuUsage();
  return {
    at: performance.now(),
    processes,
    postgres: postgresSeconds(),
    self: (own.user + own.system) / 1e6,
    machine: machineJiffies(),
  };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** CPU use between two snapshots, per request where `requests` is given. */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot, requests: number) {
  const seconds = (b.at - a.at) / 1000;
  let serverSeconds = 0;
  let known = a.processes.size > 0;
  for (const [pid, before] of a.processes) {
    const after = b.processes.get(pid);
    if (after === undefined || Number.isNaN(after) || Number.isNaN(before)) known = false;
    else serverSeconds += after - before;
  }
  const pgSeconds = spentBetween(a.postgres, b.postgres);
  const m =
    a.machine && b.machine
      ? {
          busy: b.machine.busy - a.machine.busy,
          idle: b.machine.idle - a.machine.idle,
          steal: b.machine.steal - a.machine.steal,
        }
      : null;
  const jiffies = m ? m.busy + m.idle + m.steal : 0;
  const perRequest = (s: number) => (requests > 0 ? round((s * 1000) / requests, 2) : null);
  return {
    seconds: round(seconds, 1),
    requests,
    /** the app processes (null for the direct baseline, which runs in this process) */
    serverCoresBusy: known ? round(serverSeconds / seconds, 2) : null,
    serverCpuMsPerRequest: known ? perRequest(serverSeconds) : null,
    postgresCoresBusy: round(pgSeconds / seconds, 2),
    postgresCpuMsPerRequest: perRequest(pgSeconds),
    loadGeneratorCoresBusy: round((b.self - a.self) / seconds, 2),
    machineBusyPercent: m && jiffies ? round((100 * m.busy) / jiffies) : null,
    machineStealPercent: m && jiffies ? round((100 * m.steal) / jiffies) : null,
  };
}
