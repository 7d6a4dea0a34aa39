import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('postgres://kiln:s3cret@db.example:5432/kiln')).toBe('postgres://kiln:***@db.example:5432/kiln');
    expect(redactUrl('http://user:s3cret@gpu1:8188/')).toBe('http://user:***@gpu1:8188');
  });

  it('leaves a URL without password as it is', () => {
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/test')).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(redactUrl('https://host/comfy')).toBe('https://host/comfy');
  });

  it('never echoes an unparseable value, which might be a secret', () => {
    expect(redactUrl('not a url with p4ss')).toBe('<unparseable URL>');
  });
});
