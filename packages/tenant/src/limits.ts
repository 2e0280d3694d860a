/** Every limit and lifetime of the virtual tenant; tests shorten them. All in ms unless named `…Sec`. */
export interface TenantLimits {
  /** Lifetime of an mfa_token (Auth0's server SDKs assume 5 min). */
  readonly mfaTokenLifetimeMs: number;
  /** The QR must be scanned within this time of the association. */
  readonly enrollmentLifetimeMs: number;
  /** How long a push challenge can be answered (undocumented by Auth0; 5 min here). */
  readonly challengeLifetimeMs: number;
  /** mfa-oob polls per oob_code: burst… */
  readonly pollBurst: number;
  /** …and one poll back every this many ms (12 a minute). */
  readonly pollRefillMs: number;
  /** Push notifications per user: burst… */
  readonly pushBurst: number;
  /** …and one back every this many ms (5 a minute). */
  readonly pushRefillMs: number;
  /** Failed OTPs (and, separately, failed recovery codes) per user: burst… */
  readonly codeFailureBurst: number;
  /** …and one back every this many ms (10 an hour). */
  readonly codeFailureRefillMs: number;
  /** TOTP periods accepted either side of the current one (Auth0 accepts the previous window). */
  readonly otpWindow: number;
  /** `expires_in` of access tokens for other audiences. */
  readonly accessTokenLifetimeSec: number;
  /** `expires_in` of access tokens for the `/mfa/` audience (fixed at 600 s by Auth0). */
  readonly mfaAccessTokenLifetimeSec: number;
}

export const DEFAULT_LIMITS: TenantLimits = {
  mfaTokenLifetimeMs: 5 * 60_000,
  enrollmentLifetimeMs: 5 * 60_000,
  challengeLifetimeMs: 5 * 60_000,
  pollBurst: 12,
  pollRefillMs: 5_000,
  pushBurst: 5,
  pushRefillMs: 12_000,
  codeFailureBurst: 10,
  codeFailureRefillMs: 6 * 60_000,
  otpWindow: 1,
  accessTokenLifetimeSec: 86_400,
  mfaAccessTokenLifetimeSec: 600,
};

/**
 * A token bucket on an external clock: `capacity` tokens, one back every `refillMs`. It is
 * evaluated lazily from the time passed in, so it needs no timer.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly capacity: number,
    readonly refillMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  private refill(now: number): void {
    if (this.refillMs <= 0) {
      this.tokens = this.capacity;
      this.last = now;
      return;
    }
    if (now <= this.last) return;
    const earned = Math.floor((now - this.last) / this.refillMs);
    if (earned <= 0) return;
    this.tokens = Math.min(this.capacity, this.tokens + earned);
    // A full bucket does not bank time: the next token starts counting from now.
    this.last = this.tokens === this.capacity ? now : this.last + earned * this.refillMs;
  }

  /** Tokens left at `now`. */
  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  /** Takes one token; false when the bucket is empty. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    if (this.tokens === this.capacity) this.last = now;
    this.tokens -= 1;
    return true;
  }

  /** How long until one token is available (0 when one is). */
  msUntilToken(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) return 0;
    return Math.max(0, this.last + this.refillMs - now);
  }
}
