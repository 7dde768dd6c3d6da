/**
 * What Linux's /proc says about a server's processes: peak memory and CPU time.
 * Everything here returns null where /proc can't tell (another OS, a process
 * that is gone, no permission), so the bench prints "n/a" instead of failing.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

// Clock ticks per second for utime/stime. 100 on every Linux that Node runs on.
const CLOCK_TICKS = 100;

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // Gone, or not Linux: the caller reports "n/a".
    return null;
  }
}

/** Fields of /proc/<pid>/stat after the command name, which may contain spaces. */
function statFields(pid: number): string[] | null {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** `pid` and all its descendants (nginx: the master and its workers). */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    // No /proc: only the process itself is known.
    return [pid];
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(Number(name));
    const ppid = fields ? Number(fields[1]) : NaN; // fields[0] is the state, [1] the parent
    if (!Number.isNaN(ppid)) parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    tree.push(next);
    queue.push(...(parents.get(next) ?? []));
  }
  return tree;
}

/** Sum of the processes' peak resident set (VmHWM) in bytes, or null. */
export function peakRss(pids: number[]): number | null {
  let total = 0;
  for (const pid of pids) {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(read(`/proc/${pid}/status`) ?? '');
    if (!match) return null;
    total += Number(match[1]) * 1024;
  }
  return total;
}

/**
 * Reset the processes' peak RSS to their current RSS ("5" to clear_refs,
 * Linux 4.0+), so the next peakRss() covers one case only. False if the
 * kernel refused; the peak then runs from the start of the process.
 */
export function resetPeakRss(pids: number[]): boolean {
  try {
    for (const pid of pids) writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    // Old kernel or no permission: the figure stays a since-start peak, and says so.
    return false;
  }
}

/** User + system CPU seconds the processes have used so far, or null. */
export function cpuSeconds(pids: number[]): number | null {
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    if (!fields) return null;
    // utime and stime are fields 14 and 15 of stat: 11 and 12 here, where the state (field 3) is 0.
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / CLOCK_TICKS;
}

/** CPU seconds the whole machine has been busy (all cores, every process and the kernel), or null. */
export function machineBusySeconds(): number | null {
  const line = read('/proc/stat')?.split('\n', 1)[0];
  if (!line?.startsWith('cpu ')) return null;
  // user nice system idle iowait irq softirq steal: all but idle and iowait.
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / CLOCK_TICKS;
}

/**
 * Context switches (voluntary and not) of every thread of the processes so
 * far, or null. /proc/<pid>/status counts the main thread only, so this sums
 * /proc/<pid>/task/<tid>/status: the libuv pool and GC threads switch too.
 */
export function contextSwitches(pids: number[]): number | null {
  let total = 0;
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      // Gone, or not Linux.
      return null;
    }
    for (const tid of tids) {
      const status = read(`/proc/${pid}/task/${tid}/status`) ?? '';
      const voluntary = /^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status);
      const involuntary = /^nonvoluntary_ctxt_switches:\s+(\d+)$/m.exec(status);
      // A thread that ended meanwhile counts as 0.
      total += Number(voluntary?.[1] ?? 0) + Number(involuntary?.[1] ?? 0);
    }
  }
  return total;
}

/**
 * CPU seconds of this process's children that have ended and been waited for
 * (cutime + cstime of /proc/self/stat), or null. Across one wrk run, during
 * which no other child ends, the difference is wrk's own CPU time.
 */
export function endedChildrenCpuSeconds(): number | null {
  const fields = statFields(process.pid);
  // cutime and cstime are fields 16 and 17 of stat: 13 and 14 here.
  return fields ? (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS : null;
}
