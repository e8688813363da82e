import Docker from 'dockerode';
import { VerifySpec } from '../load-spec';
import { Row, row } from '../report';

const CHECK = 'size within budget';

/** Megabytes as Docker and the spec count them: 10^6 bytes, one decimal. */
export function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Payload = what we add on top of the runtime base; it is the part we
 * control, so it is reported even though only the total is judged. The base
 * may be absent locally (e.g. CI pulled only our image): then it is unknown,
 * not zero.
 */
export function judgeSize(spec: VerifySpec, imageBytes: number, baseBytes: number | undefined): Row {
  const payload = baseBytes === undefined
    ? `payload unknown (${spec.baseImages.runtime} not present locally)`
    : `payload ${mb(imageBytes - baseBytes)} over ${spec.baseImages.runtime} (${mb(baseBytes)})`;
  return row('3', CHECK, `≤ ${spec.sizeBudgetMb} MB`, `${mb(imageBytes)}; ${payload}`, imageBytes <= spec.sizeBudgetMb * 1e6);
}

export async function checkSize(docker: Docker, spec: VerifySpec, imageBytes: number): Promise<Row[]> {
  let baseBytes: number | undefined;
  try {
    baseBytes = (await docker.getImage(spec.baseImages.runtime).inspect()).Size;
  } catch {
    baseBytes = undefined;
  }
  return [judgeSize(spec, imageBytes, baseBytes)];
}
