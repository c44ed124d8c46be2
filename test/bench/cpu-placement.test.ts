import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { allowedCpus, CpuPlacement, describePlacement } from './cpu-placement';

/** The CPUs a process may run on, as the kernel reports them. */
function cpusOf(pid: number): number[] {
  return allowedCpus(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

test('the allowed CPU list is read from /proc, ranges and single CPUs alike', () => {
  expect(allowedCpus('Name:\tnode\nCpus_allowed_list:\t0-3,6\nMems_allowed:\t1\n')).toEqual([0, 1, 2, 3, 6]);
  expect(allowedCpus('Cpus_allowed_list:\t5\n')).toEqual([5]);
  expect(allowedCpus('Name:\tnode\n')).toEqual([]);
  expect(allowedCpus().length).toBeGreaterThan(0);
});

test('pinning is off when not wanted or with a single CPU, and the report says why', () => {
  expect(describePlacement(CpuPlacement.plan(false, [0, 1]).status)).toBe('CPU placement: off (--no-pin); the scheduler places every process');
  expect(CpuPlacement.plan(true, [3]).status).toEqual({ pinned: false, reason: 'off (1 CPU available)' });
  expect(describePlacement({ pinned: true, serverCpus: [0], otherCpus: [1, 2] })).toContain('alone on CPU 0; load generator, emulator, Redis and idle servers on CPU 1,2');
});

describe('on this machine', () => {
  const children: ChildProcess[] = [];
  const sleeper = (): number => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(child);
    return child.pid!;
  };
  const mine = allowedCpus();
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    // This process was moved too: give it every CPU back for the tests that follow in this worker.
    CpuPlacement.plan(true, mine).release();
  });

  test('the server being measured gets a CPU of its own, and goes back to the others when the next one comes', () => {
    const placement = CpuPlacement.plan(true, mine);
    if (!placement.status.pinned) {
      // One CPU, or no taskset: the bench then runs unpinned, and its header says why.
      expect(placement.status.reason).toMatch(/1 CPU available|taskset/);
      return;
    }
    const [first, ...rest] = mine as [number, ...number[]];
    const [upstream, a, b] = [sleeper(), sleeper(), sleeper()];
    placement.background(process.pid, upstream, a, b);
    expect([cpusOf(process.pid), cpusOf(upstream), cpusOf(a), cpusOf(b)]).toEqual([rest, rest, rest, rest]);

    placement.focus(a);
    expect([cpusOf(a), cpusOf(b)]).toEqual([[first], rest]);
    placement.focus(b);
    expect([cpusOf(a), cpusOf(b)]).toEqual([rest, [first]]);
    placement.focus(undefined);
    expect(cpusOf(b)).toEqual(rest);

    placement.release();
    expect(cpusOf(process.pid)).toEqual(mine);
  });
});
