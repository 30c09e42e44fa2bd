/**
 * JSON of settings that may hold Buffers (TLS keys and certificates), with each Buffer as base64,
 * so that two equal settings give the same text. Used to key caches and hand-overs.
 */
export function jsonWithBuffers(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (Buffer.isBuffer(v) ? v.toString('base64') : v));
}
