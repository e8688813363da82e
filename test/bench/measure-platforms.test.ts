import { platformLabel } from '../../bench/measure-platforms';

test('a platform that is not the engine\'s is marked emulated; the engine\'s own is not', () => {
  expect(platformLabel('linux/arm64', 'amd64')).toBe('linux/arm64 (emulated)');
  expect(platformLabel('linux/amd64', 'amd64')).toBe('linux/amd64');
  expect(platformLabel('linux/amd64', 'arm64')).toBe('linux/amd64 (emulated)');
});
