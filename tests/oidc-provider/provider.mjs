// Test identity provider for Passkey Desk: the OpenID Certified `oidc-provider` on loopback.
// Started by tests/src/oidc_provider.rs as `node provider.mjs [port]`; port 0 (the default)
// picks a free one. Prints exactly one line `READY <issuer>` on stdout once it listens;
// everything else it says goes to stderr (oidc-provider's own NOTICE lines may go to stdout
// too: the harness skips any line before READY).
//
// Environment (all optional):
//   PORT               port when no argv port is given (0 = pick a free one)
//   ACCESS_TOKEN_TTL   seconds an access token lives (default 3600)
//   DEVICE_CODE_TTL    seconds a device code lives (default 300)
//   REFRESH_TOKEN_TTL  seconds a refresh token lives (default 14 days)
//   DEVICE_INTERVAL    `interval` in the device authorization answer (default 1)
//   EXIT_ON_STDIN_EOF  1 = exit when stdin closes (set by the harness)
//
// Behaviour the app must know about (oidc-provider, not ZITADEL):
// - `offline_access` (hence a refresh token) is only granted when the authorize request also
//   carries `prompt=consent`; without it the scope is silently dropped. The device flow has no
//   prompt parameter and keeps `offline_access`.
// - Loopback redirects of a native client match on any port (RFC 8252 §7.3), so the one
//   registered `http://127.0.0.1/callback` accepts `http://127.0.0.1:{port}/callback`.
// - Refresh tokens rotate on every use; reusing a rotated one is invalid_grant and revokes
//   the whole grant. Revoking a refresh token also revokes the grant (its access tokens).
// - The authorization response carries `iss` (RFC 9207) next to `code` and `state`.
// - Only S256 PKCE exists in oidc-provider 9, and PKCE is required here.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const seconds = (name, fallback) => {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const ACCESS_TOKEN_TTL = seconds('ACCESS_TOKEN_TTL', 3600);
const DEVICE_CODE_TTL = seconds('DEVICE_CODE_TTL', 300);
const REFRESH_TOKEN_TTL = seconds('REFRESH_TOKEN_TTL', 14 * 24 * 3600);
const DEVICE_INTERVAL = seconds('DEVICE_INTERVAL', 1);
const port = Number.parseInt(process.argv[2] ?? process.env.PORT ?? '0', 10);

// A fresh signing key per run: tokens of one run are never valid in another.
const signingKey = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: `test-${Date.now()}`,
  use: 'sig',
  alg: 'RS256',
};

// Listen first, so the issuer can carry the port that port 0 turned into.
const server = createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;

  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'passkey-desk',
      client_name: 'Passkey Desk',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1/callback'],
      post_logout_redirect_uris: ['http://127.0.0.1/logout'],
      grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types: ['code'],
    }],
    // Any login id is an account; its claims are derived from the id.
    async findAccount(_ctx, id) {
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            name: `Test User ${id}`,
            preferred_username: id,
            email: `${id}@example.test`,
            email_verified: true,
          };
        },
      };
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'profile', 'email', 'offline_access', 'urn:zitadel:iam:org:project:id:zitadel:aud'],
    features: {
      devInteractions: { enabled: true }, // built-in login page (any login, any password) and consent page
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
    },
    pkce: { required: () => true }, // S256 is the only method oidc-provider 9 knows
    // A refresh token whenever offline_access was granted, by code or by device flow.
    async issueRefreshToken(_ctx, client, source) {
      return client.grantTypeAllowed('refresh_token') && source.scopes.has('offline_access');
    },
    rotateRefreshToken: true,
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL,
      IdToken: ACCESS_TOKEN_TTL,
      DeviceCode: DEVICE_CODE_TTL,
      RefreshToken: REFRESH_TOKEN_TTL,
    },
    cookies: { keys: ['passkey-desk-test-cookie-key-not-a-secret'] },
    jwks: { keys: [signingKey] },
  });

  // oidc-provider has no option for the device answer's `interval`: set it in the event that
  // receives the answer body before it is sent.
  provider.on('device_authorization.success', (_ctx, body) => {
    body.interval = DEVICE_INTERVAL;
  });
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));

  server.on('request', provider.callback());
  console.log(`READY ${issuer}`);
});

// Stop cleanly on signals; with EXIT_ON_STDIN_EOF=1 (the harness sets it) also when stdin
// closes, so a test process that dies without cleaning up leaves no provider behind.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
if (process.env.EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', () => process.exit(0)).resume();
}
