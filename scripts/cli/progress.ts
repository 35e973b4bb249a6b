/** A progress bar on stderr for long work; silent when stderr is not a terminal (CI logs, pipes). */
import cliProgress from 'cli-progress';

export interface Progress {
  update(value: number, total?: number, label?: string): void;
  stop(): void;
}

export function progressBar(label: string): Progress {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      format: `{label} [{bar}] {value}/{total} {unit} · {eta_formatted} left`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(value, total, text) {
      if (!started) {
        bar.start(total ?? value, value, { label, unit: 'records' });
        started = true;
      }
      if (total !== undefined) bar.setTotal(total);
      bar.update(value, text ? { label: text } : {});
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
