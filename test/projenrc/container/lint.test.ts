import { lintDockerfile } from '../../../projenrc';

const rules = (text: string) => lintDockerfile(text).map((f) => f.rule);
const GOOD_TAIL = 'USER 1000:1000\nHEALTHCHECK CMD ["true"]\nCMD ["node", "a.js"]\n';

describe('lintDockerfile', () => {
  test('a clean Dockerfile has no findings', () => {
    expect(lintDockerfile(`FROM node:24-slim AS b\nWORKDIR /app\nCOPY a ./\nFROM b AS r\nCOPY --from=b /app ./x\n${GOOD_TAIL}`)).toEqual([]);
  });

  const bad: [string, string, number][] = [
    ['DL3000', `FROM node:24 AS r\nWORKDIR app\n${GOOD_TAIL}`, 2],
    ['DL3002', 'FROM node:24 AS r\nUSER root\nHEALTHCHECK CMD ["true"]\nCMD ["node"]\n', 2],
    ['DL3002', 'FROM node:24 AS r\nUSER 0:0\nHEALTHCHECK CMD ["true"]\nCMD ["node"]\n', 2],
    ['DL3003', `FROM node:24 AS r\nRUN cd /tmp && ls\n${GOOD_TAIL}`, 2],
    ['DL3006', `FROM node AS r\n${GOOD_TAIL}`, 1],
    ['DL3007', `FROM node:latest AS r\n${GOOD_TAIL}`, 1],
    ['DL3016', `FROM node:24 AS r\nRUN npm install -g typescript\n${GOOD_TAIL}`, 2],
    ['DL3016', `FROM node:24 AS r\nRUN npm i @scope/pkg\n${GOOD_TAIL}`, 2],
    ['DL3020', `FROM node:24 AS r\nWORKDIR /app\nADD a.tar ./\n${GOOD_TAIL}`, 3],
    ['DL3022', `FROM node:24 AS r\nCOPY --from=nowhere /a /a\n${GOOD_TAIL}`, 2],
    ['DL3025', 'FROM node:24 AS r\nUSER 1:1\nHEALTHCHECK CMD ["true"]\nCMD npm start\n', 4],
    ['DL3045', `FROM node:24 AS r\nCOPY a ./\n${GOOD_TAIL}`, 2],
    ['DL3059', `FROM node:24 AS r\nRUN true\nRUN false\n${GOOD_TAIL}`, 3],
    ['DL4006', `FROM node:24 AS r\nRUN curl x | sh\n${GOOD_TAIL}`, 2],
    ['CIS-DI-0001', 'FROM node:24 AS r\nHEALTHCHECK CMD ["true"]\nCMD ["node"]\n', 1],
    ['CIS-DI-0006', 'FROM node:24 AS r\nUSER 1:1\nCMD ["node"]\n', 1],
    ['CIS-DI-0010', `FROM node:24 AS r\nENV DB_PASSWORD=x PORT=1\n${GOOD_TAIL}`, 2],
    ['CIS-DI-0010', `FROM node:24 AS r\nENV API_KEY x\n${GOOD_TAIL}`, 2],
  ];
  test.each(bad)('%s fires', (rule, text, line) => {
    expect(lintDockerfile(text)).toEqual([expect.objectContaining({ rule, line })]);
  });

  test('near misses do not fire', () => {
    expect(rules(`FROM node:24 AS r\nRUN npm install -g typescript@5.9.3 && npm ci\n${GOOD_TAIL}`)).toEqual([]);
    expect(rules(`FROM node:24 AS r\nRUN --mount=type=cache,target=/x true\nRUN true\n${GOOD_TAIL}`)).toEqual([]);
    expect(rules(`FROM node:24 AS r\nRUN a || b\n${GOOD_TAIL}`)).toEqual([]);
    expect(rules(`FROM node:24 AS r\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN a | b\n${GOOD_TAIL}`)).toEqual([]);
    expect(rules(`FROM node:24@sha256:${'c'.repeat(64)} AS r\n${GOOD_TAIL}`)).toEqual([]);
  });
});
