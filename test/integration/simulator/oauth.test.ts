import { describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS } from '../../../src/simulator/create-simulator.js';
import { simulatorToken, tenantIds, useSimulator, withSimulator } from '../../helpers/with-simulator.js';
import { call, getUsage, json, type CallResult } from './http-call.js';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** POSTs `fields` URL-encoded to the token endpoint, as a client does. */
function postTokenForm(baseUrl: string, fields: Record<string, string>): Promise<CallResult> {
  return call(baseUrl, { method: 'POST', path: '/oauth/token', headers: FORM, body: new URLSearchParams(fields).toString() });
}

const demoForm = {
  client_id: DEMO_CREDENTIALS.clientId,
  client_secret: DEMO_CREDENTIALS.clientSecret,
  grant_type: 'client_credentials',
};

describe('POST /oauth/token', () => {
  const sim = useSimulator();

  it('issues a bearer token for URL-encoded demo credentials', async () => {
    const res = await postTokenForm(sim().url, demoForm);
    expect(res.status).toBe(200);
    const body = json(res);
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 3599 });
    expect(body.access_token).toMatch(/^[0-9a-f]{32}$/);
    expect(body.jti).toMatch(/^[0-9a-f]{32}$/);
    expect(body.scope).toMatch(/^user\.\S+ entity\.[0-9a-f-]{36} /);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(sim().stats.tokensIssued).toBe(1);
  });

  it('proves the secret holds + / = characters that need URL encoding', () => {
    expect(DEMO_CREDENTIALS.clientSecret).toMatch(/\+/);
    expect(DEMO_CREDENTIALS.clientSecret).toMatch(/\//);
    expect(DEMO_CREDENTIALS.clientSecret).toMatch(/=/);
  });

  it('refuses a secret sent without URL encoding (+ reads as a space) with 401 invalid_client', async () => {
    const body = `client_id=${DEMO_CREDENTIALS.clientId}&client_secret=${DEMO_CREDENTIALS.clientSecret}&grant_type=client_credentials`;
    const res = await call(sim().url, { method: 'POST', path: '/oauth/token', headers: FORM, body });
    expect(res.status).toBe(401);
    expect(json(res)).toMatchObject({ error: 'invalid_client' });
    expect(sim().stats.tokensIssued).toBe(0);
  });

  it('refuses an unknown client with 401 invalid_client', async () => {
    const res = await postTokenForm(sim().url, { ...demoForm, client_secret: 'wrong' });
    expect(res.status).toBe(401);
    expect(json(res).error).toBe('invalid_client');
  });

  it('refuses another grant type with 400 unsupported_grant_type and a missing one with invalid_request', async () => {
    const wrong = await postTokenForm(sim().url, { ...demoForm, grant_type: 'password' });
    expect(wrong.status).toBe(400);
    expect(json(wrong).error).toBe('unsupported_grant_type');
    const missing = await postTokenForm(sim().url, { client_id: demoForm.client_id, client_secret: demoForm.client_secret });
    expect(missing.status).toBe(400);
    expect(json(missing).error).toBe('invalid_request');
  });

  it('refuses a JSON body with 400 invalid_request', async () => {
    const res = await call(sim().url, {
      method: 'POST',
      path: '/oauth/token',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(demoForm),
    });
    expect(res.status).toBe(400);
    expect(json(res).error).toBe('invalid_request');
  });

  it('answers GET on the token path with 405', async () => {
    const res = await call(sim().url, { path: '/oauth/token' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
  });
});

describe('bearer authentication of usage calls', () => {
  it('accepts a fresh token and refuses it once tokenLifetimeSeconds have passed on the injected clock', async () => {
    let clock = 1_750_000_000_000;
    await withSimulator({ tokenLifetimeSeconds: 2, now: () => clock }, async (sim) => {
      const token = await simulatorToken(sim);
      const id = tenantIds(sim).pending[0] as string;
      expect((await getUsage(sim.url, token, id)).status).toBe(200);
      clock += 1999;
      expect((await getUsage(sim.url, token, id)).status).toBe(200);
      clock += 1;
      const expired = await getUsage(sim.url, token, id);
      expect(expired.status).toBe(401);
      expect(json(expired)).toEqual({ message: 'Authentication error' });
      expect(expired.headers['www-authenticate']).toMatch(/^Bearer realm="Zuora", error="invalid_token"/);
      const fresh = await simulatorToken(sim);
      expect((await getUsage(sim.url, fresh, id)).status).toBe(200);
      expect(sim.stats.tokensIssued).toBe(2);
    });
  });

  it('answers 401 Authentication error without an Authorization header, or with an unknown token', async () => {
    await withSimulator({}, async (sim) => {
      const id = tenantIds(sim).pending[0] as string;
      const missing = await call(sim.url, { path: `/v1/object/usage/${id}` });
      expect(missing.status).toBe(401);
      expect(json(missing)).toEqual({ message: 'Authentication error' });
      expect(missing.headers['www-authenticate']).toBe('Bearer realm="Zuora"');
      const unknown = await getUsage(sim.url, 'not-a-token', id);
      expect(unknown.status).toBe(401);
      const basic = await call(sim.url, { path: `/v1/object/usage/${id}`, headers: { Authorization: 'Basic abc' } });
      expect(basic.status).toBe(401);
    });
  });

  it('accepts static tokens as is', async () => {
    await withSimulator({ staticTokens: ['static-token-1'] }, async (sim) => {
      const id = tenantIds(sim).pending[0] as string;
      expect((await getUsage(sim.url, 'static-token-1', id)).status).toBe(200);
    });
  });

  it('revokeAllTokens refuses issued and static tokens and the client credentials from then on', async () => {
    await withSimulator({ staticTokens: ['static-token-1'] }, async (sim) => {
      const token = await simulatorToken(sim);
      const id = tenantIds(sim).pending[0] as string;
      expect((await getUsage(sim.url, token, id)).status).toBe(200);
      sim.revokeAllTokens();
      expect((await getUsage(sim.url, token, id)).status).toBe(401);
      expect((await getUsage(sim.url, 'static-token-1', id)).status).toBe(401);
      await expect(simulatorToken(sim)).rejects.toThrow(/401.*invalid_client/);
    });
  });

  it('expireAllTokens makes issued tokens fail while the credentials still get new ones', async () => {
    await withSimulator({ staticTokens: ['static-token-1'] }, async (sim) => {
      const token = await simulatorToken(sim);
      const id = tenantIds(sim).pending[0] as string;
      sim.expireAllTokens();
      expect((await getUsage(sim.url, token, id)).status).toBe(401);
      expect((await getUsage(sim.url, 'static-token-1', id)).status).toBe(200);
      expect((await getUsage(sim.url, await simulatorToken(sim), id)).status).toBe(200);
    });
  });

  it('accepts other configured clients and refuses the demo ones then', async () => {
    const client = { clientId: 'ci-client', clientSecret: 'x+y/z=' };
    await withSimulator({ clients: [client] }, async (sim) => {
      await expect(simulatorToken(sim, client)).resolves.toMatch(/^[0-9a-f]{32}$/);
      await expect(simulatorToken(sim)).rejects.toThrow(/401/);
    });
  });
});
