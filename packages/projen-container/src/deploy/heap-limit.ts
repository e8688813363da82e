/**
 * V8 sizes its old space from the memory it sees, with a floor: in a
 * container limited to 256 MiB, Node 24 allows a heap of 259 MiB, more than
 * the container may use at all. The kernel's OOM killer, not V8's garbage
 * collector, then decides what happens under pressure: a SIGKILL mid-request,
 * no log line. Each container with a memory limit therefore gets an explicit
 * old-space limit below it.
 */

/**
 * V8's share of a container's memory limit. The rest is what is not old
 * space: node's own code and the binary's resident pages (about 40 MiB for
 * a bare `node`), the young generation, buffers of sockets, request bodies
 * and pg's results (off-heap), thread stacks and libuv. A fraction, not a
 * fixed reserve: V8 grows the young generation with the memory it sees.
 */
export const HEAP_SHARE = 3 / 4;

/**
 * Below this much old space per worker a server under load spends its time
 * in garbage collection, and a burst fails with V8's "heap out of memory":
 * a limit that leaves less is a configuration error, not a tight budget.
 * (`npx projen bench:soak` measures what a worker holds under the mixed load:
 * about 25 MiB in use.)
 */
export const MIN_HEAP_MIB = 64;

/**
 * The old-space limit of each of `workers` node processes in a container
 * limited to `memoryMiB`: {@link HEAP_SHARE} of it, split evenly. A cluster's
 * primary inherits the flag but holds no requests; its heap stays small and
 * its non-heap comes out of the remaining share. Pure.
 */
export function heapLimitMiB(memoryMiB: number, workers: number): number {
  return Math.floor((memoryMiB * HEAP_SHARE) / workers);
}

/** Where the limit goes: node reads flags from it, and the image's CMD runs node directly, with no flags to add. */
export const NODE_OPTIONS = 'NODE_OPTIONS';

/** `NODE_OPTIONS` with the heap limit after what the image declares: node applies V8 flags in order, so ours wins. Pure. */
export function nodeOptions(declared: string | undefined, heapMiB: number): string {
  return [declared, `--max-old-space-size=${heapMiB}`].filter(Boolean).join(' ');
}
