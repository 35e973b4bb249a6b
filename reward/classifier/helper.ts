/**
 * A second thread for training on large data: these machines have two cores, and a classifier's
 * training spends nearly all its time in two loops that split cleanly by row — featurizing texts,
 * and the loss and gradient over feature rows. The helper takes the second half of each; the
 * training thread takes the first, waits for the helper through Atomics (training is synchronous,
 * inside a worker thread or the CLI, so there is no event loop to wait on), and adds the halves.
 * The split point is fixed, so results are the same from run to run (though not bit-identical to
 * a single thread's, whose sums run in another order).
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { FeaturizerConfig } from '../featurizer-config';
import { rowCount, type SparseRows, type SparseVector } from '../sparse';
import type { HelperReply, HelperRequest } from './helper-worker';
import { classObjective, columns, type ClassTargets } from './softmax';

/** How long to wait for the helper before giving up on it (its start, or one reply). */
const TIMEOUT_MS = 60_000;

function sharedCopy<T extends Float32Array | Float64Array | Int32Array>(array: T): T {
  const Ctor = array.constructor as { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const copy = new Ctor(new SharedArrayBuffer(array.length * Ctor.BYTES_PER_ELEMENT));
  copy.set(array as never);
  return copy;
}

export class TrainingHelper {
  /** the rows the helper holds, so a λ path over the same rows sends them once */
  private shared: {
    rows: SparseRows;
    targets: ClassTargets;
    total: number;
    params: Float64Array;
    grad: Float64Array;
  } | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly flag: Int32Array,
  ) {}

  /** Starts the helper thread; null when it cannot start (then train on one thread). */
  static start(): TrainingHelper | null {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    let worker: Worker;
    try {
      worker = new Worker(new URL('./helper-worker.boot.mjs', import.meta.url), {
        workerData: { port: port2, flag },
        transferList: [port2],
        name: 'arbiter training helper',
      });
    } catch {
      return null;
    }
    worker.unref();
    const helper = new TrainingHelper(worker, port1, flag);
    try {
      const ready = helper.await();
      if (ready.type !== 'ready') throw new Error('unexpected first reply');
      return helper;
    } catch {
      void worker.terminate();
      return null;
    }
  }

  private send(request: HelperRequest, transfer: ArrayBuffer[] = []): void {
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage(request, transfer);
  }

  private await(): HelperReply {
    if (Atomics.wait(this.flag, 0, 0, TIMEOUT_MS) === 'timed-out' && Atomics.load(this.flag, 0) === 0)
      throw new Error('the training helper thread did not answer');
    const received = receiveMessageOnPort(this.port);
    if (!received) throw new Error('the training helper thread signalled without a reply');
    const reply = received.message as HelperReply;
    if (reply.type === 'error') throw new Error(`training helper: ${reply.message}`);
    return reply;
  }

  /**
   * Featurizes `texts` on both threads and returns their vectors in order, adding readable names
   * of hashed slots to `names` (first text that uses a slot wins, as on one thread).
   */
  featurize(
    config: FeaturizerConfig,
    texts: readonly string[],
    featurizeOne: (text: string, names: Map<number, string>) => SparseVector,
    names: Map<number, string>,
  ): SparseVector[] {
    const mid = Math.floor(texts.length / 2);
    this.send({ type: 'featurize', config, texts: texts.slice(mid) });
    const first = texts.slice(0, mid).map((t) => featurizeOne(t, names));
    const reply = this.await();
    if (reply.type !== 'featurized') throw new Error('unexpected helper reply');
    for (const [slot, name] of reply.names) if (!names.has(slot)) names.set(slot, name);
    const second: SparseVector[] = [];
    for (let r = 0; r + 1 < reply.rowPtr.length; r++) {
      const from = reply.rowPtr[r]!;
      const to = reply.rowPtr[r + 1]!;
      second.push({ indices: reply.indices.subarray(from, to), values: reply.values.subarray(from, to) });
    }
    return [...first, ...second];
  }

  /**
   * The objective for L-BFGS over `rows` (as classObjective), the second half of the rows
   * evaluated by the helper. Valid until the next call of objective() or close().
   */
  objective(rows: SparseRows, targets: ClassTargets, lambda: number) {
    const n = rowCount(rows);
    const mid = Math.floor(n / 2);
    const C = targets.classes;
    const k = columns(C);
    const size = rows.dim * k + k;
    if (this.shared?.rows !== rows || this.shared.targets !== targets) {
      let total = 0;
      for (let r = 0; r < n; r++) total += targets.weight[r]!;
      const base = rows.rowPtr[mid]!;
      const second: SparseRows = {
        dim: rows.dim,
        rowPtr: sharedCopy(Int32Array.from(rows.rowPtr.subarray(mid), (p) => p - base)),
        indices: sharedCopy(rows.indices.subarray(base)),
        values: sharedCopy(rows.values.subarray(base)),
      };
      const params = new Float64Array(new SharedArrayBuffer(size * 8));
      const grad = new Float64Array(new SharedArrayBuffer(size * 8));
      this.send({
        type: 'rows',
        rows: second,
        classes: C,
        target: targets.target.subarray(mid * C),
        weight: targets.weight.subarray(mid),
        totalWeight: total,
        params: params.buffer as SharedArrayBuffer,
        grad: grad.buffer as SharedArrayBuffer,
      });
      this.await();
      this.shared = { rows, targets, total, params, grad };
    }
    const { total, params, grad: helperGrad } = this.shared;
    const first: SparseRows = {
      dim: rows.dim,
      rowPtr: rows.rowPtr.subarray(0, mid + 1),
      indices: rows.indices,
      values: rows.values,
    };
    const own = classObjective(
      first,
      { classes: C, target: targets.target.subarray(0, mid * C), weight: targets.weight.subarray(0, mid) },
      lambda,
      { totalWeight: total },
    );
    return (x: Float64Array, grad: Float64Array): number => {
      params.set(x);
      this.send({ type: 'eval' });
      const loss = own(x, grad);
      const reply = this.await();
      if (reply.type !== 'loss') throw new Error('unexpected helper reply');
      for (let j = 0; j < size; j++) grad[j]! += helperGrad[j]!;
      return loss + reply.loss;
    };
  }

  close(): void {
    try {
      this.port.postMessage({ type: 'close' } satisfies HelperRequest);
    } finally {
      void this.worker.terminate();
    }
  }
}
