import { describe, expect, it } from 'vitest';
import { cpuBetween, snapshot, spentBetween, type CpuSnapshot } from './cpu';

describe('CPU accounting for bench:serve', () => {
  it('counts a process present in both snapshots by its difference, a new one whole, an ended one not at all', () => {
    const before = new Map([
      [10, 5],
      [11, 100], // ends in between (an idle pooled backend closing): must not subtract
    ]);
    const after = new Map([
      [10, 7],
      [12, 1.5], // started in between
    ]);
    expect(spentBetween(before, after)).toBeCloseTo(3.5);
  });

  it('turns two snapshots into cores busy and milliseconds per request', () => {
    const a: CpuSnapshot = {
      at: 0,
      processes: new Map([[1, 10]]),
      postgres: new Map([[2, 4]]),
      self: 1,
      machine: { busy: 1000, idle: 1000, steal: 0 },
    };
    const b: CpuSnapshot = {
      at: 10_000,
      processes: new Map([[1, 15]]),
      postgres: new Map([[2, 6]]),
      self: 3,
      machine: { busy: 1600, idle: 1300, steal: 100 },
    };
    expect(cpuBetween(a, b, 1000)).toMatchObject({
      seconds: 10,
      serverCoresBusy: 0.5,
      serverCpuMsPerRequest: 5,
      postgresCoresBusy: 0.2,
      postgresCpuMsPerRequest: 2,
      loadGeneratorCoresBusy: 0.2,
      machineBusyPercent: 60,
      machineStealPercent: 10,
    });
  });

  it('says nothing about the server when a watched process is gone', () => {
    const a = snapshot([process.pid, 2 ** 22 + 7]);
    const b = snapshot([process.pid, 2 ** 22 + 7]);
    expect(cpuBetween(a, b, 10).serverCpuMsPerRequest).toBeNull();
  });
});
