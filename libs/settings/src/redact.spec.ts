import { redactText, redactUrl, secretsOfHeaders } from './redact';

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

describe('redactUrl, credential parameters', () => {
  it('masks a password or token given as a query parameter and keeps the others', () => {
    expect(redactUrl('postgres://kiln@db:5432/kiln?password=pw-in-param&sslmode=require')).toBe('postgres://kiln@db:5432/kiln?password=***&sslmode=require');
    expect(redactUrl('http://gpu1:8188/?token=t0ken')).toBe('http://gpu1:8188/?token=***');
  });
});

describe('redactText', () => {
  it('hides every configured secret and the token of a Bearer header', () => {
    const secrets = secretsOfHeaders({ Authorization: 'Bearer abcdef123', 'X-Key': 'k3y-value' });

    expect(redactText('got Bearer abcdef123, then abcdef123 and k3y-value', secrets)).toBe('got [REDACTED], then [REDACTED] and [REDACTED]');
  });
});
