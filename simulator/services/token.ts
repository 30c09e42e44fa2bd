// WSTokenService.GetUserWSToken exactly as Cx documents it. Wrong credentials are not a fault:
// HTTP 200 with IsValid false and nil Token/TokenExpiry.
import { ServiceContract, contract, dcNamespace } from '../contract';
import { SimState } from '../state';

export const SECURITY_NS = dcNamespace('Modules.Security');

// WCF orders DataContract members alphabetically: Password before UserName.
const GetUserWSTokenRequest = contract('GetUserWSTokenRequest', SECURITY_NS, [
  { name: 'Password', type: 'string' },
  { name: 'UserName', type: 'string' },
]);

const UserWSTokenResponse = contract('UserWSTokenResponse', SECURITY_NS, [
  { name: 'InvalidReason', type: 'string' },
  { name: 'IsValid', type: 'boolean' },
  { name: 'Token', type: 'string' },
  { name: 'TokenExpiry', type: 'dateTime', nullable: true },
]);

export function tokenService(state: SimState): ServiceContract {
  return {
    name: 'WSTokenService',
    operations: [
      {
        name: 'GetUserWSToken',
        tokenShape: 'none',
        request: GetUserWSTokenRequest,
        response: UserWSTokenResponse,
        handler(req) {
          const { user, password } = state.settings;
          if (req.UserName !== user || req.Password !== password) {
            state.stats.failedLogins++;
            return {
              InvalidReason: 'Invalid login. Please try again.',
              IsValid: false,
              Token: null,
              TokenExpiry: null,
            };
          }
          state.stats.logins++;
          const { token, expires } = state.issueToken(user);
          return { InvalidReason: null, IsValid: true, Token: token, TokenExpiry: expires };
        },
      },
    ],
  };
}
