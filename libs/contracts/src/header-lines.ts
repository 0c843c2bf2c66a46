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

/** One `Name: value` line: the lower-cased name and the trimmed value, or what is wrong. */
export function parseHeaderLine(
  line: string,
): { name: string; value: string } | { problem: string } {
  const colon = line.indexOf(':');
  if (colon === -1) return { problem: 'expected "Name: value"' };
  const name = line.slice(0, colon).trim();
  if (name === '') return { problem: 'the header name is missing before ":"' };
  if (!HEADER_NAME.test(name)) {
    return {
      problem: `"${name}" is not a header name (letters, digits and !#$%&'*+.^_\`|~- only)`,
    };
  }
  return { name: name.toLowerCase(), value: line.slice(colon + 1).trim() };
}

/** Parses `Name: value` lines; blank lines are skipped. */
export function parseHeaderLines(lines: readonly string[]): HeaderLines {
  const headers: Record<string, string> = {};
  const problems: string[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const parsed = parseHeaderLine(line);
    if ('problem' in parsed) problems.push(`line ${i + 1}: ${parsed.problem}`);
    else if (parsed.name in headers) problems.push(`line ${i + 1}: ${parsed.name} is given twice`);
    else headers[parsed.name] = parsed.value;
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
