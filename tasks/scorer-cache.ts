/**
 * Loaded models (ONNX sessions) in a small LRU cache keyed by model id: artefacts never change once
 * a model is ready, and a session is released when it falls out of the cache and nobody uses it.
 * Reward scoring and sentiment pre-labeling each keep one per database handle.
 */

interface Entry<T> {
  loading: Promise<T>;
  users: number;
  evicted: boolean;
}

/**
 * At most `capacity` loaded models. An evicted model is disposed once no caller still uses it, so
 * a scoring request never sees its session released underneath it.
 */
export class ScorerCache<T extends { scorer: { dispose(): Promise<void> } }> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    readonly capacity: number,
    private readonly load: (modelId: string) => Promise<T>,
  ) {}

  /** Runs `fn` with the model loaded (from the cache when possible). */
  async use<R>(modelId: string, fn: (model: T) => Promise<R>): Promise<R> {
    let entry = this.entries.get(modelId);
    if (entry) {
      // most recently used goes last
      this.entries.delete(modelId);
      this.entries.set(modelId, entry);
    } else {
      entry = { loading: this.load(modelId), users: 0, evicted: false };
      this.entries.set(modelId, entry);
      // a failed load is not cached: the next call tries again
      entry.loading.catch(() => {
        if (this.entries.get(modelId) === entry) this.entries.delete(modelId);
      });
      this.evictBeyondCapacity();
    }
    entry.users++;
    try {
      return await fn(await entry.loading);
    } finally {
      entry.users--;
      if (entry.evicted && entry.users === 0) void this.dispose(entry);
    }
  }

  /** Model ids currently held, least recently used first. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Drops every model (e.g. at shutdown); models in use are disposed when their callers finish. */
  async clear(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) {
      entry.evicted = true;
      if (entry.users === 0) await this.dispose(entry);
    }
  }

  private evictBeyondCapacity(): void {
    while (this.entries.size > this.capacity) {
      const [oldestId, oldest] = this.entries.entries().next().value as [string, Entry<T>];
      this.entries.delete(oldestId);
      oldest.evicted = true;
      if (oldest.users === 0) void this.dispose(oldest);
    }
  }

  private async dispose(entry: Entry<T>): Promise<void> {
    try {
      await (await entry.loading).scorer.dispose();
    } catch {
      // a load that failed has nothing to release
    }
  }
}
