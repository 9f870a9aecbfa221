/** Output seam for the command-line entry, so tests capture exactly what a user would see. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Prints `agent-trust: <message>` on stderr and returns exit code 2 (bad input). */
  fail(message: string): number;
}

export function processIo(): Io {
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
