import { parse } from 'parse5';

/** A parsed HTML element, as parse5 gives it (only what the tests read). */
export interface HtmlNode {
  nodeName: string;
  tagName?: string;
  value?: string;
  attrs?: Array<{ name: string; value: string }>;
  childNodes?: HtmlNode[];
  content?: HtmlNode;
}

/**
 * Parses a page the way a browser does (parse5 implements the WHATWG HTML parsing algorithm), so a
 * test sees the elements a browser would build: an unescaped `<script>` in a cell would be an element here.
 */
export function parseHtml(html: string): HtmlNode {
  return parse(html) as unknown as HtmlNode;
}

/** Every element under `node`, depth first. */
export function elements(node: HtmlNode): HtmlNode[] {
  const found: HtmlNode[] = [];
  const walk = (n: HtmlNode): void => {
    if (n.tagName) found.push(n);
    for (const child of n.childNodes ?? []) walk(child);
  };
  walk(node);
  return found;
}

export function attr(node: HtmlNode, name: string): string | undefined {
  return node.attrs?.find((a) => a.name === name)?.value;
}

/** The text of a node, as textContent (entities decoded). */
export function text(node: HtmlNode): string {
  if (node.nodeName === '#text') return node.value ?? '';
  return (node.childNodes ?? []).map(text).join('');
}

export function byId(root: HtmlNode, id: string): HtmlNode {
  const found = elements(root).find((n) => attr(n, 'id') === id);
  if (!found) throw new Error(`no element with id ${id}`);
  return found;
}

/** The rows of a table as arrays of cell texts (trimmed). */
export function tableRows(table: HtmlNode): string[][] {
  return elements(table)
    .filter((n) => n.tagName === 'tr')
    .map((tr) => (tr.childNodes ?? []).filter((c) => c.tagName === 'td' || c.tagName === 'th').map((c) => text(c).trim()));
}
