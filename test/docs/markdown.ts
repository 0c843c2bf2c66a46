/**
 * The little of Markdown the doc test needs: links, heading anchors and table rows, read the
 * way GitHub renders them. Text inside fenced code blocks and inline code spans is not
 * Markdown, so neither its links nor its `#` lines count.
 */

export interface MarkdownLink {
  /** The target as written, without `<…>` and without a title. */
  target: string;
  /** 1-based line of the link in its file. */
  line: number;
}

export interface TableRow {
  cells: string[];
  line: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Each line of `markdown` with what is not Markdown text blanked: fenced code blocks become
 * empty lines (so line numbers stay) and inline code spans become spaces.
 */
export function proseLines(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split(/\r?\n/).map((line) => {
    const opener = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      // A fence closes with at least as many of the same character and nothing after them.
      const closes =
        opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length;
      if (closes && line.trim() === opener) fence = undefined;
      return '';
    }
    if (opener !== undefined) {
      fence = opener;
      return '';
    }
    return line.replace(/(`+)(?:(?!\1)[^])*?\1/g, (span) => ' '.repeat(span.length));
  });
}

const INLINE_LINK =
  /!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>\n]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/;

/** Inline links and images, and reference definitions, outside code. */
export function markdownLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  proseLines(markdown).forEach((text, i) => {
    const definition = REFERENCE_DEFINITION.exec(text);
    if (definition?.[1] !== undefined) {
      links.push({ target: unbracket(definition[1]), line: i + 1 });
      return;
    }
    for (const match of text.matchAll(INLINE_LINK)) {
      if (match[1] !== undefined) links.push({ target: unbracket(match[1]), line: i + 1 });
    }
  });
  return links;
}

const unbracket = (target: string) =>
  target.startsWith('<') && target.endsWith('>') ? target.slice(1, -1) : target;

/**
 * GitHub's anchor for a heading's text (github-slugger): lower case, every character that is
 * not a letter, digit, mark, connector (`_`), hyphen or space dropped, each space a hyphen.
 */
export function githubSlug(headingText: string): string {
  return headingText
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The text a heading renders to: code spans keep their content, links their text. */
function renderedText(markdown: string): string {
  return markdown
    .replace(/!?\[((?:[^\]\\]|\\.)*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`/g, '')
    .trim();
}

/**
 * Every anchor a link may target in this file: the slugs of its ATX headings (a repeated
 * slug gets `-1`, `-2`, … as on GitHub) and explicit `<a id|name="…">` anchors.
 */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    const opener = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      if (opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length) {
        if (line.trim() === opener) fence = undefined;
      }
      continue;
    }
    if (opener !== undefined) {
      fence = opener;
      continue;
    }
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) {
      if (match[1] !== undefined) anchors.add(match[1]);
    }
    const heading = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = githubSlug(renderedText(heading));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** The body rows of every pipe table (header and delimiter rows left out), cells trimmed. */
export function tableRows(markdown: string): TableRow[] {
  const raw = markdown.split(/\r?\n/);
  const prose = proseLines(markdown);
  const isDelimiter = (line: string | undefined) =>
    line !== undefined && /^\s*\|(\s*:?-+:?\s*\|)+\s*$/.test(line);
  const rows: TableRow[] = [];
  raw.forEach((line, i) => {
    // Lines in code blocks are blank in `prose`; a header row is followed by the delimiter row.
    if (!prose[i]!.trimStart().startsWith('|')) return;
    if (isDelimiter(line) || isDelimiter(raw[i + 1])) return;
    rows.push({ cells: splitCells(line), line: i + 1 });
  });
  return rows;
}

/**
 * Cells of one table line, as written. As in GitHub's tables, every unescaped pipe splits,
 * inside code spans too (write `\|` there).
 */
function splitCells(line: string): string[] {
  const cells = line
    .trim()
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
  // The leading and trailing pipes leave an empty first and last cell.
  return cells.slice(1, cells.at(-1) === '' ? -1 : undefined);
}
