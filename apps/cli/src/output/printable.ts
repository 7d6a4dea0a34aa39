import type { Reporter } from './reporter';

// C0/C1 control characters (ESC starts terminal sequences) except newline and tab, and the Unicode
// bidirectional controls that make text display in another order than it reads (RTL overrides).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text from a job file or a server made safe for a terminal: unsafe characters shown as `\u{…}`. */
function printable(text: string): string {
  return text.replace(UNSAFE, (ch) => `\\u{${ch.codePointAt(0)?.toString(16)}}`);
}

function cleaned(value: unknown): unknown {
  if (typeof value === 'string') return printable(value);
  if (Array.isArray(value)) return value.map(cleaned);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, cleaned(inner)]));
  }
  return value;
}

/**
 * A reporter whose every argument is made {@link printable} before it reaches the terminal: item
 * names and error messages cannot move the cursor, recolour the screen or reverse text. Kiln's own
 * colours are added after, by the reporter itself.
 */
export function printableReporter(inner: Reporter): Reporter {
  return new Proxy(inner, {
    get(target, key, receiver) {
      const member = Reflect.get(target, key, receiver) as unknown;
      if (typeof member !== 'function') return member;
      return (...args: unknown[]) => (member as (...a: unknown[]) => unknown).apply(target, args.map(cleaned));
    },
  });
}
