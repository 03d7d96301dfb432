/** Text in a Markdown line: error messages carry stderr tails, whose line breaks would end the line early. */
export function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}

/** A table cell must stay on one line, and a bare | would end it early. */
export function cell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|');
}
