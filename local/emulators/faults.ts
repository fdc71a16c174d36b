/**
 * Seeded fault injection and a rate limiter for the DocSpace emulator: what the network and a busy portal do to a
 * client, reproducibly. Faults: 429 with Retry-After, 500/502/503, slow answers, connections dropped before the
 * request is applied, and connections dropped after it was applied but before the answer.
 */

export type FaultKind = '429' | '500' | '502' | '503' | 'slow' | 'drop' | 'appliedThenDrop';

export interface FaultOptions {
  /** Share of API requests that meet a fault, 0..1. */
  rate: number;
  /** Seed of the pseudo-random sequence: the same seed, the same faults for the same request order. */
  seed?: number;
  /** Relative weights of the kinds; all equal when omitted. */
  mix?: Partial<Record<FaultKind, number>>;
  slowMs?: number;
  retryAfterSeconds?: number;
}

export type Fault =
  | { kind: 'status'; status: number; headers: Record<string, string> }
  | { kind: 'slow'; ms: number }
  /** Held until the test opens the gate: the request has reached DocSpace, and is answered only when told. */
  | { kind: 'held'; gate: Gate }
  | { kind: 'drop' }
  | { kind: 'appliedThenDrop' };

/** mulberry32: small, fast and good enough to make test runs reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALL_KINDS: FaultKind[] = ['429', '500', '502', '503', 'slow', 'drop', 'appliedThenDrop'];

export class FaultInjector {
  /** Faults injected so far, by kind. */
  readonly injected: Partial<Record<FaultKind, number>> = {};
  private readonly random: () => number;
  private readonly weights: [FaultKind, number][];
  private readonly total: number;

  constructor(private readonly options: FaultOptions) {
    this.random = seededRandom(options.seed ?? 1);
    this.weights = ALL_KINDS.map((k) => [k, options.mix ? (options.mix[k] ?? 0) : 1]);
    this.total = this.weights.reduce((sum, [, w]) => sum + w, 0);
  }

  next(): Fault | undefined {
    if (this.total === 0 || this.random() >= this.options.rate) return undefined;
    let pick = this.random() * this.total;
    const kind = (this.weights.find(([, w]) => (pick -= w) < 0) ?? this.weights[0])?.[0] as FaultKind;
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
    switch (kind) {
      case '429':
        return { kind: 'status', status: 429, headers: { 'retry-after': String(this.options.retryAfterSeconds ?? 1) } };
      case 'slow':
        return { kind: 'slow', ms: this.options.slowMs ?? 200 };
      case 'drop':
      case 'appliedThenDrop':
        return { kind };
      default:
        return { kind: 'status', status: Number(kind), headers: {} };
    }
  }
}

/**
 * DocSpace's limiter answers 429 with Retry-After and X-RateLimit-Limit/-Remaining/-Reset
 * (docs/docspace-caveats.md#rate-limiting). This one is a fixed one-second window, which is what a client sees of a
 * sliding window at its edge.
 */
export class RateLimiter {
  rejected = 0;
  private windowStart = 0;
  private used = 0;

  constructor(readonly perSecond: number) {}

  /** Undefined when the request may pass; the 429's headers when it may not. */
  take(now = Date.now()): Record<string, string> | undefined {
    const window = Math.floor(now / 1000);
    if (window !== this.windowStart) {
      this.windowStart = window;
      this.used = 0;
    }
    if (this.used < this.perSecond) {
      this.used += 1;
      return undefined;
    }
    this.rejected += 1;
    return {
      'retry-after': '1',
      'x-ratelimit-limit': String(this.perSecond),
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(window + 1),
    };
  }
}

/** A request held at the emulator: `reached` resolves when it arrives; `open` lets it through. */
export interface Gate {
  reached: Promise<void>;
  open(): void;
  /** Used by the emulator: marks the arrival and waits for the test. */
  pass(): Promise<void>;
}

export function gate(): Gate {
  let arrive = () => {};
  let release = () => {};
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  const opened = new Promise<void>((resolve) => (release = resolve));
  return {
    reached,
    open: () => release(),
    pass: () => {
      arrive();
      return opened;
    },
  };
}
