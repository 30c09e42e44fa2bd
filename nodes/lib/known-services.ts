/**
 * Cx services named in public material (cx-facts). Cx 23.1 has 21; the editor offers these as
 * suggestions and accepts any other name typed in.
 */
export const KNOWN_SERVICES: readonly string[] = [
  'WSTokenService',
  'WSRepairContractorService',
  'WSRepairService',
  'WSAssetService',
  'WSAllocationsService',
  'WSTenancyService',
];
