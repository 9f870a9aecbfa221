/** Output seam for the command-line entry, so tests capture exactly what a user would see. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Prints `agent-trust: <message>` on stderr and returns exit code 2 (bad input). */
  fail(message: string): number;
}

/**
 * Exit status after stdout's reader went away (`agent-trust matrix --all | head -1`): 128 + SIGPIPE, what the shell
 * reports for coreutils in the same spot (they are killed by the signal; Node ignores it and sees EPIPE instead).
 * Nothing is printed: the reader asked for no more.
 */
export const EXIT_CLOSED_PIPE = 141;

let watching = false;

/** Ends the process quietly with EXIT_CLOSED_PIPE when stdout's reader has gone; any other write error is thrown. */
export function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(EXIT_CLOSED_PIPE);
    throw e;
  });
}

export function processIo(): Io {
  if (!watching) {
    watching = true;
    exitQuietlyOnClosedPipe();
  }
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    fail: (message) => {
      process.stderr.write(`agent-trust: ${message}\n`);
      return 2;
    },
  };
}

export function captureIo(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => void stdout.push(line),
    err: (line) => void stderr.push(line),
    fail: (message) => {
      stderr.push(`agent-trust: ${message}`);
      return 2;
    },
  };
}
