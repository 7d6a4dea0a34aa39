import { PassThrough } from 'node:stream';
import { createReporter } from './create-reporter';

describe('printable terminal output', () => {
  it('shows escape sequences and right-to-left overrides from item names and errors instead of obeying them', () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const reporter = createReporter({ env: {}, streams: { stdout, stderr } });

    reporter.failed({ item: 'Bob\u001b[2J\u202egnp.exe', file: 'bob.png', seed: 1, reason: 'server said \u001b]0;owned\u0007' } as never);
    reporter.error('bad \u0000 name', 1);

    const out = `${String(stdout.read())}${String(stderr.read())}`;
    expect(out).toContain('Bob\\u{1b}[2J\\u{202e}gnp.exe');
    expect(out).toContain('server said \\u{1b}]0;owned\\u{7}');
    expect(out).toContain('bad \\u{0} name');
    expect([...out].filter((ch) => '\u001b\u202e\u0000\u0007'.includes(ch))).toEqual([]);
  });
});
