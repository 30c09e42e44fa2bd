// WSAssetService: the token is a separate operation parameter before `request`
// (<tem:GetAssetDetails><tem:token/><tem:request/></tem:GetAssetDetails>).
import { ServiceContract, arrayOf, contract, dcNamespace } from '../contract';
import { SimState } from '../state';
import { PropertyAddress, addressValue, invalid, valid } from './shared-types';

export const ASSETS_NS = dcNamespace('Modules.Assets');

const GetAssetDetailsRequest = contract('GetAssetDetailsRequest', ASSETS_NS, [
  { name: 'AssetReference', type: 'string' },
]);

const AssetComponent = contract('AssetComponent', ASSETS_NS, [
  { name: 'ComponentCode', type: 'string' },
  { name: 'Condition', type: 'string' },
  { name: 'Description', type: 'string' },
  { name: 'InstallDate', type: 'dateTime', nullable: true },
  { name: 'LifeExpectancyYears', type: 'int' },
]);

const AssetDetail = contract('AssetDetail', ASSETS_NS, [
  { name: 'Address', type: PropertyAddress },
  { name: 'AssetReference', type: 'string' },
  { name: 'AssetType', type: 'string' },
  { name: 'Bedrooms', type: 'int' },
  { name: 'BuildYear', type: 'int', nullable: true },
  { name: 'Components', type: arrayOf(AssetComponent) },
  { name: 'Tenure', type: 'string' },
]);

const GetAssetDetailsResponse = contract('GetAssetDetailsResponse', ASSETS_NS, [
  { name: 'Asset', type: AssetDetail },
  { name: 'InvalidReason', type: 'string' },
  { name: 'IsValid', type: 'boolean' },
]);

export function assetService(state: SimState): ServiceContract {
  return {
    name: 'WSAssetService',
    operations: [
      {
        name: 'GetAssetDetails',
        tokenShape: 'param',
        request: GetAssetDetailsRequest,
        response: GetAssetDetailsResponse,
        handler(req) {
          const ref = typeof req.AssetReference === 'string' ? req.AssetReference.trim() : '';
          if (!ref) return invalid('AssetReference is required.', { Asset: null });
          const a = state.data.assets.find((x) => x.reference.toUpperCase() === ref.toUpperCase());
          if (!a) return invalid(`Asset '${ref}' not found.`, { Asset: null });
          return valid({
            Asset: {
              Address: addressValue(a.address),
              AssetReference: a.reference,
              AssetType: a.assetType,
              Bedrooms: a.bedrooms,
              BuildYear: a.buildYear,
              Components: a.components,
              Tenure: a.tenure,
            },
          });
        },
      },
    ],
  };
}
