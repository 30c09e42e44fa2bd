// DataContracts shared by several services. WSRequestBase/WSResponseBase live in the root
// DataContracts namespace while derived types live in module namespaces, so on the wire the
// inherited members come first and in a different namespace, as WCF serialises inheritance.
import { NS, contract, dcNamespace } from '../contract';
import { Address } from '../data';

export const COMMON_NS = dcNamespace('Common');

export const WSRequestBase = contract('WSRequestBase', NS.dcBase, [{ name: 'Token', type: 'string' }]);

export const WSResponseBase = contract('WSResponseBase', NS.dcBase, [
  { name: 'InvalidReason', type: 'string' },
  { name: 'IsValid', type: 'boolean' },
]);

export const PropertyAddress = contract('PropertyAddress', COMMON_NS, [
  { name: 'AddressLine1', type: 'string' },
  { name: 'AddressLine2', type: 'string' },
  { name: 'AddressLine3', type: 'string' },
  { name: 'Postcode', type: 'string' },
  { name: 'Town', type: 'string' },
  { name: 'Uprn', type: 'string' },
]);

export const addressValue = (a: Address): Record<string, unknown> => ({ ...a });

export const invalid = (reason: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  InvalidReason: reason,
  IsValid: false,
  ...extra,
});

export const valid = (extra: Record<string, unknown>): Record<string, unknown> => ({
  InvalidReason: null,
  IsValid: true,
  ...extra,
});
