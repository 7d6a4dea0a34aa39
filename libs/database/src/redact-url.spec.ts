import { redactDatabaseUrl } from './redact-url';

describe('redactDatabaseUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactDatabaseUrl('postgres://kiln:s3cret@db.example:5432/kiln')).toBe('postgres://kiln:***@db.example:5432/kiln');
  });

  it('leaves a URL without password as it is', () => {
    expect(redactDatabaseUrl('postgres://postgres@127.0.0.1:5432/test')).toBe('postgres://postgres@127.0.0.1:5432/test');
  });

  it('never echoes an unparseable value, which might be a secret', () => {
    expect(redactDatabaseUrl('not a url with p4ss')).toBe('<unparseable DATABASE_URL>');
  });
});
