/**
 * Where the CPU went while a benchmark ran, from Linux's /proc: the CPU time of given processes
 * and the machine's idle share. It explains ratios that depend on spare cores (three instances vs
 * one); elsewhere (no /proc) the figures are simply left out.
 */
import { readFileSync } from 'node:fs';

export interface CpuUsage {
  /** Per process, % of one core over the stretch. */
  processes: number[];
  /** % of all cores left idle. */
  idle: number;
}

const TICKS_PER_SEC = 100; // USER_HZ, 100 on Linux

function processTicks(pid: number): number {
  // Fields after the ")" of the command name: utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function machineTicks(): { idle: number; all: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { idle: fields[3]! + fields[4]!, all: fields.reduce((a, b) => a + b, 0) };
}

/** Runs `work`, and answers its result with the CPU usage of `pids` and the machine meanwhile (null without /proc). */
export async function withCpuUsage<T>(pids: number[], work: () => Promise<T>): Promise<{ result: T; usage: CpuUsage | null }> {
  let before: { pids: number[]; machine: { idle: number; all: number }; at: number } | null = null;
  try {
    before = { pids: pids.map(processTicks), machine: machineTicks(), at: performance.now() };
  } catch {
    before = null;
  }
  const result = await work();
  if (!before) return { result, usage: null };
  const seconds = (performance.now() - before.at) / 1000;
  const machine = machineTicks();
  return {
    result,
    usage: {
      processes: pids.map((pid, i) => ((processTicks(pid) - before!.pids[i]!) / TICKS_PER_SEC / seconds) * 100),
      idle: ((machine.idle - before.machine.idle) / (machine.all - before.machine.all)) * 100,
    },
  };
}
