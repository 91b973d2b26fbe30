/**
 * Open connections per watched user and replica, kept by the parent from what the load
 * clients report (opened, dropped): how many deliveries a change to a user should make, and
 * by which replica. A change published while a socket is closed is not expected on it.
 */
export class OpenCounts {
  private readonly counts: Int32Array;

  constructor(
    users: number,
    private readonly replicas: number,
  ) {
    this.counts = new Int32Array(users * replicas);
  }

  add(user: number, replica: number, delta: number): void {
    this.counts[user * this.replicas + replica]! += delta;
  }

  /** Adds the user's open connections, by replica, to `expected`. */
  addExpected(user: number, expected: number[]): void {
    for (let r = 0; r < this.replicas; r++) {
      expected[r]! += this.counts[user * this.replicas + r]!;
    }
  }
}
