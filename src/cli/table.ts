/**
 * The one plain-text table printer of the CLI: aligned columns, a dashed rule under the header, trailing blanks
 * trimmed. A cell may hold several lines (continuation lines leave the other columns blank).
 */
export type Cell = string | readonly string[];

export interface TableOptions {
  /** Put before every line (the gate indents its tables under an agent). */
  readonly indent?: string;
}

const linesOf = (c: Cell): readonly string[] => (typeof c === "string" ? [c] : c);

export function table(
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
  opts: TableOptions = {},
): string[] {
  const indent = opts.indent ?? "";
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => Math.max(0, ...linesOf(r[i] ?? "").map((l) => l.length)))),
  );
  const line = (cells: readonly string[]) =>
    `${indent}${cells.map((c, i) => c.padEnd(widths[i]!)).join("  ")}`.trimEnd();
  const body = rows.flatMap((r) => {
    const cells = header.map((_, i) => linesOf(r[i] ?? ""));
    const height = Math.max(1, ...cells.map((c) => c.length));
    return Array.from({ length: height }, (_, k) => line(cells.map((c) => c[k] ?? "")));
  });
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body];
}
