/** The machine line of the report. */
import * as os from 'node:os';
import { docker } from './exec';
import type { MachineInfo } from './types';

export async function machineInfo(nodeImage: string): Promise<MachineInfo> {
  const cpus = os.cpus();
  const server = await docker(['version', '-f', '{{.Server.Version}}'], { allowFail: true });
  const client = await docker(['version', '-f', '{{.Client.Version}}'], { allowFail: true });
  const inImage = await docker(['run', '--rm', '--network', 'none', '--entrypoint', 'node', nodeImage, '--version'], { allowFail: true });
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    docker: `client ${client.stdout.trim() || '?'}, engine ${server.stdout.trim() || '?'} (BuildKit)`,
    node: process.version,
    nodeInImages: inImage.stdout.trim() || 'unknown',
  };
}
