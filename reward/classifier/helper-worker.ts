/**
 * The training helper's thread (see helper.ts): featurizes its share of the texts, and evaluates
 * the loss and gradient over its share of the rows on request, writing into shared memory. Every
 * reply is posted on the port, then signalled through `flag`, so the training thread can wait for
 * it without an event loop.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { createFeaturizer } from '../featurize';
import type { FeaturizerConfig } from '../featurizer-config';
import { toRows, type SparseRows } from '../sparse';
import { featurizeText } from './input';
import { classObjective } from './softmax';

export type HelperRequest =
  | { type: 'featurize'; config: FeaturizerConfig; texts: string[] }
  | {
      type: 'rows';
      rows: { dim: number; rowPtr: Int32Array; indices: Int32Array; values: Float32Array };
      classes: number;
      target: Float64Array;
      weight: Float64Array;
      /** the whole set's weight total: partial losses must be normalized like the full one */
      totalWeight: number;
      /** shared: the parameters to evaluate at, and where the partial gradient goes */
      params: SharedArrayBuffer;
      grad: SharedArrayBuffer;
    }
  | { type: 'eval' }
  | { type: 'close' };

export type HelperReply =
  | { type: 'ready' }
  | {
      type: 'featurized';
      rowPtr: Int32Array;
      indices: Int32Array;
      values: Float32Array;
      names: [number, string][];
    }
  | { type: 'loss'; loss: number }
  | { type: 'ok' }
  | { type: 'error'; message: string };

const { port, flag } = workerData as { port: MessagePort; flag: Int32Array };

function reply(message: HelperReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

let evaluate: ((params: Float64Array, grad: Float64Array) => number) | null = null;
let params: Float64Array | null = null;
let grad: Float64Array | null = null;

port.on('message', (request: HelperRequest) => {
  try {
    if (request.type === 'featurize') {
      const featurizer = createFeaturizer(request.config);
      const names = new Map<number, string>();
      const rows = toRows(
        request.texts.map((t) => featurizeText(featurizer, t, names)),
        featurizer.dim,
      );
      reply(
        {
          type: 'featurized',
          rowPtr: rows.rowPtr,
          indices: rows.indices,
          values: rows.values,
          names: [...names],
        },
        [
          rows.rowPtr.buffer as ArrayBuffer,
          rows.indices.buffer as ArrayBuffer,
          rows.values.buffer as ArrayBuffer,
        ],
      );
    } else if (request.type === 'rows') {
      const rows: SparseRows = request.rows;
      // the partial objective carries no penalty and is normalized by the whole set's weight
      const objective = classObjective(
        rows,
        { classes: request.classes, target: request.target, weight: request.weight },
        0,
        {
          totalWeight: request.totalWeight,
        },
      );
      evaluate = objective;
      params = new Float64Array(request.params);
      grad = new Float64Array(request.grad);
      reply({ type: 'ok' });
    } else if (request.type === 'eval') {
      if (!evaluate || !params || !grad) throw new Error('no rows were given to evaluate');
      reply({ type: 'loss', loss: evaluate(params, grad) });
    } else {
      port.close();
    }
  } catch (error) {
    reply({ type: 'error', message: (error as Error).message ?? String(error) });
  }
});
reply({ type: 'ready' });
