import { CxError } from './errors';
import { buildEnvelope } from './envelope';
import { sentence } from './faults';
import type { SoapAnswer } from './response-reader';
import type { OperationModel, ServiceModel } from './service-model';
import { parseTokenExpiry } from './token-expiry';
import type { LoginResult } from './token-manager';

/** What a login needs of its connection: the login operation, and a way to post to it. */
export interface LoginChannel {
  operation(service: string, method: string): Promise<{ model: ServiceModel; op: OperationModel }>;
  post(model: ServiceModel, op: OperationModel, envelope: string): Promise<SoapAnswer>;
}

export interface LoginSettings {
  username: string;
  password: string;
  loginService: string;
  loginMethod: string;
  loginCooldownMs: number;
}

/**
 * Logs in once (GetUserWSToken in Cx) and reads the token and its expiry.
 * @throws CxError `CX_CONFIG` without credentials, `CX_LOGIN_FAILED` when Cx refuses.
 */
export async function logIn(channel: LoginChannel, s: LoginSettings): Promise<LoginResult> {
  if (!s.username || !s.password) {
    throw new CxError(
      'CX_CONFIG',
      'No Cx username or password is set. Enter both in the Cx connection (config node) credentials.',
    );
  }
  const { model, op } = await channel.operation(s.loginService, s.loginMethod);
  const ctx = { service: model.name, method: op.name };
  const args = loginArgs(op, model, s.username, s.password);
  const answer = await channel.post(model, op, buildEnvelope(op, model.schema, { kind: 'none' }, undefined, args, ctx));
  const hint =
    'Check the user name and password in Cx (a Security User with "API user" ticked). To avoid locking the account, no new login is tried for';
  const cooldown = `${Math.round(s.loginCooldownMs / 1000)} s`;
  if (answer.fault) {
    throw new CxError(
      'CX_LOGIN_FAILED',
      `Cx refused the login with a fault: ${sentence(answer.fault.string || answer.fault.code || 'no reason given')} ${hint} ${cooldown}.`,
      { ...ctx, status: answer.status, faultCode: answer.fault.code, faultString: answer.fault.string },
    );
  }
  const r = (answer.result ?? {}) as Record<string, unknown>;
  if (r.IsValid !== true || typeof r.Token !== 'string' || r.Token === '') {
    const reason = typeof r.InvalidReason === 'string' && r.InvalidReason ? r.InvalidReason : 'no token was returned';
    throw new CxError(
      'CX_LOGIN_FAILED',
      `Cx refused the login of the connection's user: ${sentence(reason)} ${hint} ${cooldown}.`,
      { ...ctx, invalidReason: reason },
    );
  }
  const expiryText = typeof r.TokenExpiry === 'string' ? r.TokenExpiry : undefined;
  return { token: r.Token, expiry: parseTokenExpiry(expiryText), expiryText };
}

/**
 * The login request's members as this WSDL spells them: `UserName` and `Password` in Cx (README
 * "How the pack talks to Cx"), matched without regard to case or a `Login`/`User` prefix so that a
 * service that says `Username` or `LoginPassword` still works.
 */
export function loginArgs(
  op: OperationModel,
  model: ServiceModel,
  username: string,
  password: string,
): Record<string, string> {
  const param = op.params.length === 1 ? model.schema.type(op.params[0].type) : undefined;
  const names = param?.kind === 'complex' ? model.schema.membersOf(param).map((m) => m.name) : [];
  const user = names.find((n) => /^(login)?user_?name$/i.test(n)) ?? names.find((n) => /user/i.test(n)) ?? 'UserName';
  const pass =
    names.find((n) => /^(login|user)?password$/i.test(n)) ?? names.find((n) => /pass/i.test(n)) ?? 'Password';
  return { [user]: username, [pass]: password };
}
