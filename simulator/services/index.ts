import { ServiceContract } from '../contract';
import { SimState } from '../state';
import { assetService } from './asset';
import { repairContractorService } from './repair-contractor';
import { tenancyService } from './tenancy';
import { tokenService } from './token';

/** Every simulated service, keyed by its path segment (service name in lower case). */
export function buildServices(state: SimState): Map<string, ServiceContract> {
  const list = [tokenService(state), repairContractorService(state), assetService(state), tenancyService(state)];
  return new Map(list.map((s) => [s.name.toLowerCase(), s]));
}
