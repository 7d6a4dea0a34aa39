import { parsePythonJson, stringifyPythonJson } from './python-json';
import { PythonFloat, pyStr } from './python-values';

describe('python-json', () => {
  it('keeps floats written with a dot as floats and prints them like json.dumps', () => {
    const parsed = parsePythonJson('{"cfg": 7.0, "steps": 20, "tiny": 0.00001, "text": "7.0"}');

    expect(stringifyPythonJson(parsed)).toBe('{"cfg": 7.0, "steps": 20, "tiny": 1e-05, "text": "7.0"}');
  });

  it('keeps integers beyond 2^53 exact (KSampler seed max)', () => {
    const parsed = parsePythonJson('{"max": 18446744073709551615}') as { max: unknown };

    expect(parsed.max).toBe(18446744073709551615n);
    expect(stringifyPythonJson(parsed)).toBe('{"max": 18446744073709551615}');
  });

  it('escapes non-ASCII like ensure_ascii and keeps Map order for integer-like keys', () => {
    const value = new Map<string, unknown>([['10', 'é'], ['9', null]]);

    expect(stringifyPythonJson(value)).toBe('{"10": "\\u00e9", "9": null}');
  });

  it('formats values with str() the way Python does', () => {
    expect(pyStr(['a', "it's", 1, new PythonFloat(2), null, true])).toBe(`['a', "it's", 1, 2.0, None, True]`);
  });
});
