import { HEADER_NAME } from './http-target';

/**
 * Request headers of an HTTP target written as `Name: value` lines (the dashboard's textarea,
 * the CLI's `--header`). Only the shape is checked here: which names a target may set is the
 * server's rule, and its 400 says so.
 */
export interface HeaderLines {
  /** Lower-cased names, as the server stores them. */
  headers: Record<string, string>;
  /** One sentence per bad line, naming it (`line 2: …`). */
  problems: string[];
}

/** Parses `Name: value` lines; blank lines are skipped, the value is trimmed. */
export function parseHeaderLines(lines: readonly string[]): HeaderLines {
  const headers: Record<string, string> = {};
  const problems: string[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `line ${i + 1}`;
    const colon = line.indexOf(':');
    if (colon === -1) {
      problems.push(`${where}: expected "Name: value"`);
      return;
    }
    const name = line.slice(0, colon).trim();
    if (!HEADER_NAME.test(name)) {
      problems.push(
        name === ''
          ? `${where}: the header name is missing before ":"`
          : `${where}: "${name}" is not a header name (letters, digits and !#$%&'*+.^_\`|~- only)`,
      );
      return;
    }
    const key = name.toLowerCase();
    if (key in headers) {
      problems.push(`${where}: ${key} is given twice`);
      return;
    }
    headers[key] = line.slice(colon + 1).trim();
  });
  return { headers, problems };
}

/** The lines of a header object, one `name: value` each (what parseHeaderLines reads back). */
export function headerLinesOf(headers: Readonly<Record<string, string>> | undefined): string[] {
  return Object.entries(headers ?? {}).map(([name, value]) => `${name}: ${value}`);
}

/** Header names whose values are credentials: never shown in full. */
const SECRET_HEADER = /authorization|token|secret|api[-_]?key|password|cookie|signature/i;

/** A header value fit to show: credentials as `••••`. */
export function shownHeaderValue(name: string, value: string): string {
  return SECRET_HEADER.test(name) ? '••••' : value;
}
