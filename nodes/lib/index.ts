export { CxClient, DEFAULT_INVALID_TOKEN_PATTERN } from './cx-client';
export type {
  CxClientOptions,
  CallOptions,
  CallResult,
  CxHealth,
  RetryNotice,
  RetrySettings,
  CxLogger,
  TokenHandOver,
  TokenInfo,
  TokenSession,
} from './cx-client';
export { CxError, CX_ERROR_CODES, isCxError } from './errors';
export { retryPolicy, RETRY_DEFAULTS } from './retry-policy';
export type { CxErrorCode, CxErrorDetails } from './errors';
export type { Clock } from './clock';
export type { TlsOptions, ProxyOptions } from './http-transport';
export type { TokenPlacementSetting } from './token-placement';
export type { OperationTemplates } from './template';
export { KNOWN_SERVICES } from './known-services';
export { ServiceModelCache } from './model-cache';
export { jsonWithBuffers } from './json-key';
export { LoginRefusals } from './login-refusals';
