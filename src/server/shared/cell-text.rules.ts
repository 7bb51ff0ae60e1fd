/**
 * Spreadsheet formula injection (CSV injection, OWASP): a text cell that begins with `=`, `+`, `-`, `@`, a tab or
 * a carriage return is read by spreadsheet programs as a formula — `=HYPERLINK("http://…")` in a report's
 * explanation would become a live link, `=cmd|…` worse. Every text cell an export writes passes through
 * `neutraliseFormula`, which puts a single quote before such a text (the programs then show it as text). Numbers
 * are not texts: a figure of -5 is written as the number -5 and stays a number.
 */

/** The characters a cell must not begin with (OWASP: = + - @ tab carriage-return). */
export const FORMULA_TRIGGERS: readonly string[] = ['=', '+', '-', '@', '\t', '\r'];

/** Whether a text, as a spreadsheet cell, would be taken for a formula. */
export function startsLikeFormula(text: string): boolean {
  return text.length > 0 && FORMULA_TRIGGERS.includes(text[0]!);
}

/** The text with a single quote before it when it would be taken for a formula; otherwise the text itself. */
export function neutraliseFormula(text: string): string {
  return startsLikeFormula(text) ? `'${text}` : text;
}
