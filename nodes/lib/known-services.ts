/**
 * Cx services named in public material (README "The nodes"). Cx 23.1 has 21; the editor offers these as
 * suggestions and accepts any other name typed in. WSTenancyService is the simulator's (a guess at
 * a name, there to exercise the header-token shape), listed so the demo's services all appear.
 */
export const KNOWN_SERVICES: readonly string[] = [
  'WSTokenService',
  'WSRepairContractorService',
  'WSRepairService',
  'WSAssetService',
  'WSAllocationsService',
  'WSTenancyService',
];
