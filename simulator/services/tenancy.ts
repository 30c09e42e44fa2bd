// WSTenancyService: the token is a SOAP header (<tem:Token> in http://tempuri.org/), declared in
// the WSDL binding with soap:header, as WCF emits for a MessageContract with [MessageHeader].
import { ServiceContract, arrayOf, contract, dcNamespace } from '../contract';
import { SimState } from '../state';
import { PropertyAddress, addressValue, invalid, valid } from './shared-types';

export const TENANCY_NS = dcNamespace('Modules.Tenancy');

const GetTenancyDetailsRequest = contract('GetTenancyDetailsRequest', TENANCY_NS, [
  { name: 'TenancyReference', type: 'string' },
]);

const TenancyDetail = contract('TenancyDetail', TENANCY_NS, [
  { name: 'Address', type: PropertyAddress },
  { name: 'AssetReference', type: 'string' },
  { name: 'EndDate', type: 'dateTime', nullable: true },
  { name: 'Rent', type: 'decimal' },
  { name: 'StartDate', type: 'dateTime' },
  { name: 'TenancyReference', type: 'string' },
  { name: 'TenancyType', type: 'string' },
  { name: 'Tenants', type: arrayOf('string') },
]);

const GetTenancyDetailsResponse = contract('GetTenancyDetailsResponse', TENANCY_NS, [
  { name: 'InvalidReason', type: 'string' },
  { name: 'IsValid', type: 'boolean' },
  { name: 'Tenancy', type: TenancyDetail },
]);

export function tenancyService(state: SimState): ServiceContract {
  return {
    name: 'WSTenancyService',
    operations: [
      {
        name: 'GetTenancyDetails',
        tokenShape: 'header',
        request: GetTenancyDetailsRequest,
        response: GetTenancyDetailsResponse,
        handler(req) {
          const ref = typeof req.TenancyReference === 'string' ? req.TenancyReference.trim() : '';
          if (!ref) return invalid('TenancyReference is required.', { Tenancy: null });
          const t = state.data.tenancies.find((x) => x.reference.toUpperCase() === ref.toUpperCase());
          if (!t) return invalid(`Tenancy '${ref}' not found.`, { Tenancy: null });
          const asset = state.data.assets.find((a) => a.reference === t.assetReference);
          return valid({
            Tenancy: {
              Address: asset ? addressValue(asset.address) : null,
              AssetReference: t.assetReference,
              EndDate: t.endDate,
              Rent: t.rent,
              StartDate: t.startDate,
              TenancyReference: t.reference,
              TenancyType: t.tenancyType,
              Tenants: t.tenants,
            },
          });
        },
      },
    ],
  };
}
