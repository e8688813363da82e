/** The machine line of the report. */
import * as os from 'node:os';
import { newRunId, RunScope, type Engine } from './engine';
import { docker } from './exec';
import type { MachineInfo } from './types';

export async function machineInfo(engine: Engine, nodeImage: string, loadAtStart: number): Promise<Omit<MachineInfo, 'load'> & { load: [number, number] }> {
  const client = await docker(['version', '-f', '{{.Client.Version}}'], { allowFail: true });
  const server = await engine.docker.version().then((v) => v.Version, () => '?');
  const node = await new RunScope(engine, newRunId(), nodeImage).run({ name: 'node-version', entrypoint: ['node'], cmd: ['--version'], network: 'none' });
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: os.totalmem() / 2 ** 30,
    docker: `client ${client.stdout.trim() || '?'}, engine ${server} (BuildKit)`,
    node: process.version,
    nodeInImages: node.stdout.trim() || 'unknown',
    load: [loadAtStart, NaN],
  };
}
