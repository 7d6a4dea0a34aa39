import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'kiln_gallery_session';
const SESSION_MS = 12 * 60 * 60 * 1000;
/** Wrong tokens tolerated per minute: guessing a 16-character token at 10 a minute is hopeless. */
const FAILURES_PER_MINUTE = 10;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Equal strings, compared in constant time (hashes first, so lengths do not leak either). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Login sessions (in memory: a restart asks for the token again) and the CSRF tokens derived
 * from them with a per-process key, so a token of one session is worthless in another.
 */
export class Sessions {
  private readonly key = randomBytes(32);
  private readonly sessions = new Map<string, number>();
  private failures: number[] = [];

  constructor(private readonly token: string | undefined) {}

  get required(): boolean {
    return this.token !== undefined;
  }

  /** Whether too many wrong tokens came in the last minute; logins wait until it passes. */
  throttled(now = Date.now()): boolean {
    this.failures = this.failures.filter((at) => at > now - 60_000);
    return this.failures.length >= FAILURES_PER_MINUTE;
  }

  /** A new session id when `offered` is the token, else null. */
  login(offered: string): string | null {
    if (!this.token || !sameSecret(offered, this.token)) {
      this.failures.push(Date.now());
      return null;
    }
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(id, Date.now() + SESSION_MS);
    return id;
  }

  logout(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  /** Whether the request's session cookie names a live session (always true without a token). */
  valid(id: string | undefined): boolean {
    if (!this.required) return true;
    if (!id) return false;
    const expires = this.sessions.get(id);
    if (!expires || expires < Date.now()) {
      this.sessions.delete(id ?? '');
      return false;
    }
    return true;
  }

  /** The CSRF token of a session (or of the login form / the token-less gallery). */
  csrfFor(sessionId: string | undefined): string {
    return createHmac('sha256', this.key).update(sessionId ?? 'no-session').digest('base64url');
  }

  checkCsrf(sessionId: string | undefined, offered: unknown): boolean {
    return typeof offered === 'string' && offered.length > 0 && sameSecret(offered, this.csrfFor(sessionId));
  }
}

/** The value of one cookie of a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
