/**
 * The character tables of the line reader (`yaml-lines.ts`): the characters it never reads (`BAD`, also used by
 * the screen in `kubectl-read.ts`), the character codes it compares against, and the lookup tables of which ASCII
 * characters may start or continue a plain key and which indicators may not start a plain scalar. Pure constants.
 */
/** Characters this reader never reads: controls (tab and CR included), C1, line separators, BOM, surrogates. */
// eslint-disable-next-line no-control-regex -- the readers must name the control characters YAML and JSON treat apart
export const BAD = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]/;

export const SPACE = 32,
  LF = 10,
  HASH = 35,
  COLON = 58,
  DASH = 45,
  PLUS = 43,
  BAR = 124,
  SQUOTE = 39,
  DQUOTE = 34,
  BACKSLASH = 92;

/** 1: may start a plain key; 2: may continue one. */
export const KEY = table(/[A-Za-z0-9_]/, 3, table(/[./-]/, 2));
/** Indicators that may not start a plain scalar here (`-` is checked apart; `[ { | ' "` are handled apart). */
export const INDICATOR = table(/[?:,[\]{}#&*!|>'"%@`]/, 1);

function table(chars: RegExp, mark: number, into: Uint8Array = new Uint8Array(128)): Uint8Array {
  for (let c = 0; c < 128; c++) if (chars.test(String.fromCharCode(c))) into[c] = mark;
  return into;
}
