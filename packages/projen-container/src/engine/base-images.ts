import type Docker from 'dockerode';
import { EngineError } from './errors';

/**
 * Makes sure the engine holds every pinned base reference (`tag@digest`),
 * pulling the missing ones, before a build needs them. Without it, a digest
 * this machine cannot reach (offline, or a private mirror that never saw it)
 * surfaces as BuildKit's raw `failed to do request: Head https://…` deep in
 * the build log; here it is one line that names the reference and `fix`.
 */
export async function ensureBaseImages(docker: Docker, refs: readonly string[], fix: string): Promise<void> {
  for (const ref of refs) {
    if (await docker.getImage(ref).inspect().then(() => true, () => false)) continue;
    try {
      const stream = await docker.pull(ref);
      await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
    } catch (e) {
      // dockerode prefixes the engine's own message with its HTTP status: the engine's words are the cause.
      const cause = (e instanceof Error ? e.message : String(e)).replace(/^\(HTTP code \d+\)[^-]*- /, '').replace(/\s+/g, ' ').trim();
      throw new EngineError(`cannot pull the locked base image ${ref} (${cause}): ${fix}`);
    }
  }
}
