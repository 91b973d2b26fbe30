/**
 * The live progress line of a run: rates over the last second, in flight, totals, errors.
 * On a terminal it rewrites one line; in a log (CI, `tee`) it prints one line every 5 s.
 */
export interface ProgressSource {
  submitted(): number;
  completed(): number;
  inFlight(): number;
  errors(): number;
  /** Anything else worth a word: the fault being injected, say. */
  note?(): string;
}

export interface Progress {
  stop(): void;
}

export function startProgress(label: string, source: ProgressSource): Progress {
  const tty = process.stdout.isTTY === true;
  const startedAt = Date.now();
  let last = { at: startedAt, submitted: 0, completed: 0 };
  let lastPrinted = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    const submitted = source.submitted();
    const completed = source.completed();
    const seconds = (now - last.at) / 1000;
    const line =
      `${label} ${((now - startedAt) / 1000).toFixed(0).padStart(4)}s` +
      `  submit ${((submitted - last.submitted) / seconds).toFixed(0).padStart(4)}/s` +
      `  done ${((completed - last.completed) / seconds).toFixed(0).padStart(4)}/s` +
      `  in flight ${String(source.inFlight()).padStart(4)}` +
      `  submitted ${submitted}  completed ${completed}  errors ${source.errors()}` +
      (source.note?.() ? `  ${source.note()}` : '');
    last = { at: now, submitted, completed };
    if (tty) process.stdout.write(`\r\u001b[2K${line}`);
    else if (now - lastPrinted >= 5000) {
      lastPrinted = now;
      console.log(line);
    }
  }, 1000);
  return {
    stop() {
      clearInterval(timer);
      if (tty) process.stdout.write('\n');
    },
  };
}
