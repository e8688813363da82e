import { chooseReach, connectEngine, demux, EngineError, fastHealthcheck, healthDeadlineMs, resolveDockerCli } from '../../../packages/projen-container/src/engine';
import { withDockerHost } from '../verify/engine-helpers';

describe('engine', () => {
  test('containers are reached by publishing only where the engine has a bridge network', () => {
    expect(chooseReach(['bridge', 'host', 'none'])).toBe('publish');
    expect(chooseReach(['host', 'none'])).toBe('host');
    expect(chooseReach(['my-bridge', 'host'])).toBe('host');
  });

  test('an unreachable engine is one line naming where the modem looked', async () => {
    await withDockerHost('unix:///tmp/verify-no-such.sock', async () => {
      await expect(connectEngine('start it')).rejects.toThrow(new EngineError(
        'cannot reach the Docker engine at /tmp/verify-no-such.sock (connect ENOENT): start it'));
    });
    await withDockerHost('tcp://127.0.0.1:1', async () => {
      await expect(connectEngine('start it')).rejects.toThrow('cannot reach the Docker engine at http://127.0.0.1:1 (connect ECONNREFUSED)');
    });
  });

  test('a missing docker CLI is one line naming $DOCKER', () => {
    expect(() => resolveDockerCli('/nonexistent/docker', {})).toThrow('docker CLI not found (DOCKER=/nonexistent/docker)');
    expect(() => resolveDockerCli('docker', { PATH: '/nonexistent' })).toThrow(EngineError);
    expect(resolveDockerCli('node', { PATH: process.env.PATH })).toMatch(/node$/);
  });

  test('health keeps the image\'s test and the declared timing, polled every 0.5 s', () => {
    const timing = { intervalS: 30, timeoutS: 3, startPeriodS: 5, retries: 3 };
    expect(fastHealthcheck(['CMD', 'node', 'hc.js'], timing)).toEqual({ Test: ['CMD', 'node', 'hc.js'], Interval: 500e6, Timeout: 3e9, StartPeriod: 5e9, Retries: 3 });
    expect(healthDeadlineMs(timing)).toBe(20_500);
  });

  test('log frames split into stdout and stderr', () => {
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(body.length, 4);
      return Buffer.concat([header, body]);
    };
    expect(demux(Buffer.concat([frame(1, 'app\n'), frame(2, 'warn\n'), frame(1, '10001\n')]))).toEqual({ stdout: 'app\n10001\n', stderr: 'warn\n' });
  });
});
