/**
 * Where connection i (0..N-1) goes, computed the same way by the parent and by each load
 * client, so only the shape crosses the process boundary:
 *   - caller floor(i / perUser): a user's connections are consecutive;
 *   - replica i mod gateways: a user's connections are dealt round-robin over the replicas, as
 *     a load balancer spreads a customer's devices, so a change is usually delivered by several
 *     replicas at once (each from its own Redis subscription) and the per-user limit is
 *     enforced across them;
 *   - load client: contiguous slices of N/clients connections, each touching every replica;
 *   - source address 127.0.0.(1 + i mod addresses), when addresses are bound at all.
 */
export interface Shape {
  connections: number;
  perUser: number;
  gateways: number;
  clients: number;
  /** 0: no source address is bound (see Sizing.addresses). */
  addresses: number;
}

export const callerOf = (shape: Shape, i: number): number => Math.floor(i / shape.perUser);

export const gatewayOf = (shape: Shape, i: number): number => i % shape.gateways;

export const addressOf = (shape: Shape, i: number): string | undefined =>
  shape.addresses > 0 ? `127.0.0.${1 + (i % shape.addresses)}` : undefined;

/** The connections [first, end) load client `c` opens. */
export function clientSlice(shape: Shape, c: number): { first: number; end: number } {
  return {
    first: Math.floor((c * shape.connections) / shape.clients),
    end: Math.floor(((c + 1) * shape.connections) / shape.clients),
  };
}

export const callerCount = (shape: Shape): number => Math.ceil(shape.connections / shape.perUser);
