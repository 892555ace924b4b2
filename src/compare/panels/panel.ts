/** The frame every panel of report.html shares: a title, the units, and one line on how to read it. */
import { esc } from "./format.js";

export interface PanelText {
  readonly title: string;
  /** Units of the axes or figures, as plain text. */
  readonly units: string;
  /** One line: what to look at and what good looks like. */
  readonly howToRead: string;
}

/** A panel: `<section class="panel">` with an h3 title, a units + how-to-read line, and the body (HTML). */
export function panel(text: PanelText, body: string, opts: { id?: string; titleHtml?: string } = {}): string {
  const id = opts.id ? ` id="${esc(opts.id)}"` : "";
  return (
    `<section class="panel"${id}><h3>${opts.titleHtml ?? esc(text.title)}</h3>` +
    `<p class="howto"><span class="units">${esc(text.units)}</span> · ${esc(text.howToRead)}</p>${body}</section>`
  );
}

export function legendItem(cls: string, label: string): string {
  return `<span class="lg"><svg viewBox="0 0 26 10" width="26" height="10"><path class="${cls} key" d="M1 5H25"/></svg>${esc(label)}</span>`;
}
