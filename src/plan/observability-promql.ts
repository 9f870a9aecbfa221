/**
 * The metric names a PromQL expression reads, found by a small tokenizer: strings, label matchers, ranges and
 * the label lists of by/without/on/ignoring/group_* are dropped; what is left that is neither a function, an
 * aggregation, a keyword nor a number is a metric name. Enough for expressions this project generates; `promtool
 * check rules` validates their syntax separately. Pure.
 */

const AGGREGATIONS = new Set([
  "sum",
  "min",
  "max",
  "avg",
  "group",
  "stddev",
  "stdvar",
  "count",
  "count_values",
  "bottomk",
  "topk",
  "quantile",
  "limitk",
  "limit_ratio",
]);
const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "atan2",
  "inf",
  "nan",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
]);

function stripDelimited(expr: string): string {
  let out = "";
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += expr[j] === "\\" && c !== "`" ? 2 : 1;
      if (j >= expr.length) throw new Error(`unterminated string in ${JSON.stringify(expr)}`);
      out += " ";
      i = j;
    } else if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      let j = i + 1;
      while (j < expr.length && expr[j] !== close) {
        if (expr[j] === '"' || expr[j] === "'") {
          const q = expr[j];
          j++;
          while (j < expr.length && expr[j] !== q) j += expr[j] === "\\" ? 2 : 1;
        }
        j++;
      }
      if (j >= expr.length) throw new Error(`unclosed ${c} in ${JSON.stringify(expr)}`);
      out += " ";
      i = j;
    } else {
      out += c;
    }
  }
  return out;
}

/** The distinct metric names `expr` selects, sorted. */
export function metricsInExpr(expr: string): string[] {
  const text = stripDelimited(expr)
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\boffset\s+-?[0-9a-z]+/g, " ");
  const tokens = text.match(/[0-9][0-9a-zA-Z_.+-]*|[a-zA-Z_:][a-zA-Z0-9_:]*|\S/g) ?? [];
  const names = new Set<string>();
  tokens.forEach((t, i) => {
    if (!/^[a-zA-Z_:]/.test(t) || KEYWORDS.has(t) || AGGREGATIONS.has(t)) return;
    if (tokens[i + 1] === "(") return; // a function call
    names.add(t);
  });
  return [...names].sort();
}
