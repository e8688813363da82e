/** The ShellCheck tests never pass silently: without shellcheck they skip visibly, and in CI they fail. */
function loadWith(env: Record<string, string | undefined>): typeof import('./shellcheck') {
  const saved = { PATH: process.env.PATH, CI: process.env.CI };
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  try {
    let loaded!: typeof import('./shellcheck');
    jest.isolateModules(() => { loaded = jest.requireActual('./shellcheck'); });
    return loaded;
  } finally {
    process.env.PATH = saved.PATH;
    if (saved.CI === undefined) delete process.env.CI; else process.env.CI = saved.CI;
  }
}

test('in CI without shellcheck, the ShellCheck tests run, and fail naming the package', () => {
  const m = loadWith({ PATH: '/nonexistent', CI: 'true' });
  expect(m.SHELLCHECK_AVAILABLE).toBe(false);
  expect(m.withShellcheck).toBe(test);
  expect(() => m.shellcheck('true', '/bin/sh')).toThrow('shellcheck is not installed: apt-get install -y shellcheck');
});

test('elsewhere without shellcheck, they are reported skipped', () => {
  const m = loadWith({ PATH: '/nonexistent', CI: undefined });
  expect(m.withShellcheck).toBe(test.skip);
});
