// Exponential back-off with jitter for reconnect loops (client-go's reflector uses 800 ms growing to 30 s).

export class Backoff {
  private current = 0;

  constructor(
    private readonly initialMs = 800,
    private readonly maxMs = 30_000,
    private readonly jitter = 0.1,
  ) {}

  /** The next delay: initialMs, then doubling up to maxMs, each with up to `jitter` extra. */
  next(): number {
    this.current = this.current === 0 ? this.initialMs : Math.min(this.current * 2, this.maxMs);
    return Math.round(this.current * (1 + Math.random() * this.jitter));
  }

  reset(): void {
    this.current = 0;
  }
}
