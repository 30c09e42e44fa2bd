export { startSimulator, MAX_BODY_BYTES } from './server';
export type { CxSimulator, SimulatorOptions, SimulatorStats, InjectionKind } from './server';
export { INJECTION_KINDS } from './injections';
export { INVALID_TOKEN_TEXT } from './faults';
