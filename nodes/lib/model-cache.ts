import type { ServiceModel } from './service-model';

/**
 * Parsed WSDL models shared between connections with the same base URL and transport settings,
 * so that a full redeploy (which recreates every config node) does not download every WSDL
 * again. Entries are immutable models, bounded in number and age; a call that meets
 * ActionNotSupported drops its service's entry, so a Cx upgrade heals itself on the next call.
 * The owner (the cx-config node type, per Node-RED runtime) creates one and hands it to clients.
 */
export class ServiceModelCache {
  private readonly entries = new Map<string, { model: ServiceModel; at: number }>();

  constructor(
    private readonly maxEntries = 200,
    private readonly maxAgeMs = 3600000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): ServiceModel | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() - e.at > this.maxAgeMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e.model;
  }

  set(key: string, model: ServiceModel): void {
    this.entries.delete(key);
    this.entries.set(key, { model, at: this.now() });
    // Oldest first: a Map keeps insertion order.
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
