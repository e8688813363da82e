import type { Worker } from 'node:cluster';
import type { AggregatorRegistry, Registry } from 'prom-client';
import { firstLine } from './first-line';

/**
 * A scrape of one worker would see that worker only, and consecutive scrapes
 * would land on different workers, so counters would jump back and forth. A
 * worker asked for /metrics asks the primary instead, which gathers every
 * worker's registry with prom-client's AggregatorRegistry and answers with the
 * sum (prom-client's own aggregation per metric: sums, and e.g. the oldest start time).
 */
const ASK = 'course-supporter:metrics-ask';
const ANSWER = 'course-supporter:metrics-answer';

interface Ask { type: typeof ASK; id: number }
type Answer = { type: typeof ANSWER; id: number } & ({ text: string } | { error: string });

const isAsk = (message: unknown): message is Ask => (message as Ask | null)?.type === ASK;
const isAnswer = (message: unknown): message is Answer => (message as Answer | null)?.type === ANSWER;

/**
 * In a worker, at startup (the primary asks every worker on each scrape): lets the primary read
 * `registry`, and returns the scrape of every worker's figures. prom-client comes from the caller:
 * the primary imports this module too, and loads prom-client only on its first scrape.
 */
export function clusterScrape(registry: Registry, prom: typeof import('prom-client')): () => Promise<string> {
  prom.AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's answer to the primary's requests in this worker.
  new prom.AggregatorRegistry();
  const pending = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  let next = 0;
  process.on('message', (message: unknown) => {
    if (!isAnswer(message)) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if ('text' in message) waiter?.resolve(message.text);
    else waiter?.reject(new Error(message.error));
  });
  return () => new Promise((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve, reject });
    const ask: Ask = { type: ASK, id };
    process.send!(ask, (err: Error | null) => {
      if (!err) return;
      pending.delete(id);
      reject(err);
    });
  });
}

/**
 * In the primary: answers workers' scrapes. prom-client loads on the first
 * scrape only, so starting the primary costs nothing more.
 */
export function answerScrapes(onMessage: (listener: (worker: Worker, message: unknown) => void) => void): void {
  let aggregator: Promise<AggregatorRegistry<'text/plain; version=0.0.4; charset=utf-8'>> | undefined;
  onMessage((worker, message) => {
    if (!isAsk(message)) return;
    aggregator ??= import('prom-client').then((prom) => new prom.AggregatorRegistry());
    const reply = (answer: Answer): void => {
      if (worker.isConnected()) worker.send(answer);
    };
    aggregator.then((registry) => registry.clusterMetrics()).then(
      (text) => reply({ type: ANSWER, id: message.id, text }),
      (err: unknown) => reply({ type: ANSWER, id: message.id, error: firstLine(err) }),
    );
  });
}
