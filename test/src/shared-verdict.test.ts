import { sharedVerdict } from '../../src/shared-verdict';

describe('sharedVerdict', () => {
  it('runs the check once for concurrent callers, and reuses its verdict within the window only', async () => {
    let clock = 0;
    let runs = 0;
    let finish: (verdict: string) => void = () => undefined;
    const check = sharedVerdict(() => {
      runs++;
      return new Promise<string>((resolve) => { finish = resolve; });
    }, 100, () => clock);

    const callers = [check(), check(), check()];
    expect(runs).toBe(1);
    clock = 500; // However long the check takes, callers keep joining it.
    callers.push(check());
    finish('first');
    expect(await Promise.all(callers)).toEqual(['first', 'first', 'first', 'first']);
    expect(runs).toBe(1);

    clock = 599;
    expect(await check()).toBe('first');
    expect(runs).toBe(1);

    clock = 600;
    const next = check();
    expect(runs).toBe(2);
    finish('second');
    expect(await next).toBe('second');
  });
});
