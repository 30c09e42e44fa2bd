/** The time source of a connection. Tests pass a fake one to drive expiry and cool-downs. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
