// The official MCP TypeScript SDK's OAuth client signs in to Parley as the Claude and ChatGPT
// connectors do: it finds the authorization server from the 401's WWW-Authenticate header,
// registers itself, and sends the person to Parley's sign-in page, which Chromium (Debian's
// package, driven by playwright-core) fills in and submits; the SDK then exchanges the code and
// calls tools with the token. Then the failures the RFCs name: a denied consent, a wrong PKCE
// verifier, a reused code, a revoked grant, another organization's token. Last, a sign-in with
// a one-time link from `parley login-link` instead of a key. It prints one JSON report;
// tests/integration/mcp_test.cpp asserts on it.
//
//   node tests/mcp/oauth.mjs --url http://127.0.0.1:8080/mcp --key pl_live_… --other-key pl_live_… \
//       --link http://127.0.0.1:8080/oauth/sign-in?token=pl_osl_… [--chromium /usr/bin/chromium]
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { chromium } from 'playwright-core';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) {
    if (fallback !== undefined) return fallback;
    throw new Error(`--${name} is required`);
  }
  return process.argv[i + 1];
}

const url = new URL(option('url'));
const report = {};

// The loopback redirect URI: each visit resolves the waiting sign-in with its query.
const callbacks = [];
const receiver = http.createServer((req, res) => {
  const query = new URL(req.url, 'http://127.0.0.1').searchParams;
  res.writeHead(200, { 'Content-Type': 'text/plain' }).end('You may close this window.');
  callbacks.shift()?.(Object.fromEntries(query));
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const redirectUrl = `http://127.0.0.1:${receiver.address().port}/callback`;

const browser = await chromium.launch({ executablePath: option('chromium', '/usr/bin/chromium'), headless: true });

// An OAuthClientProvider kept in memory, whose "browser" is Chromium signing in with `key`, or
// with the one-time sign-in link `link` when given.
class Provider {
  constructor(key, decision = 'allow', link = null) {
    this.key = key;
    this.link = link;
    this.decision = decision;
    this.saved = {};
    this.callback = null;
    this.page_title = null;
  }
  get redirectUrl() {
    return redirectUrl;
  }
  get clientMetadata() {
    return {
      client_name: 'Parley integration test',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'read write',
    };
  }
  clientInformation() {
    return this.saved.client;
  }
  saveClientInformation(info) {
    this.saved.client = info;
  }
  tokens() {
    return this.saved.tokens;
  }
  saveTokens(tokens) {
    this.saved.tokens = tokens;
  }
  saveCodeVerifier(v) {
    this.saved.verifier = v;
  }
  codeVerifier() {
    return this.saved.verifier;
  }
  async redirectToAuthorization(authorizationUrl) {
    this.authorizationUrl = authorizationUrl.toString();
    this.callback = new Promise((resolve) => callbacks.push(resolve));
    const page = await browser.newPage();
    await page.goto(this.authorizationUrl);
    this.page_client = await page.textContent('#client');
    this.page_scope = await page.textContent('#scope');
    if (this.link) {
      // The person opens the link in the same browser, continues, and is back on this page.
      await page.goto(this.link);
      await Promise.all([page.waitForURL(/\/oauth\/authorize\?/), page.click('#continue')]);
      this.signed_in_as = await page.textContent('#signed_in');
      this.key_field_shown = (await page.$('#api_key')) !== null;
    } else {
      await page.fill('#api_key', this.key);
    }
    await page.click(this.decision === 'allow' ? '#allow' : '#deny');
    // Back at the redirect URI, or still on Parley's page with its error.
    this.result = await Promise.race([
      this.callback,
      page.waitForSelector('#error', { timeout: 30000 }).then(async () => ({ page_error: await page.textContent('#error') })),
    ]);
    await page.close();
  }
}

// Connects with OAuth: the first attempt gets the 401 and signs in; the second uses the token.
async function connect(provider) {
  const first = new StreamableHTTPClientTransport(url, { authProvider: provider });
  try {
    await new Client({ name: 'oauth-test', version: '1.0.0' }).connect(first);
    return { error: 'connected without signing in' };
  } catch (e) {
    if (!(e instanceof UnauthorizedError)) throw e;
  }
  if (!provider.result?.code) return { callback: provider.result };
  await first.finishAuth(provider.result.code);
  const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
  const client = new Client({ name: 'oauth-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

const errorOf = (r) => (r.isError ? r.structuredContent?.error?.code : null);

async function token(form) {
  const res = await fetch(new URL('/oauth/token', url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: await res.json() };
}

// A connection that must have signed in: its client, else an error saying where it stopped.
async function signedIn(provider) {
  const connected = await connect(provider);
  if (!connected.client) throw new Error(`the sign-in stopped: ${JSON.stringify(connected)}`);
  return connected;
}

async function main() {
  // The whole sign-in, then tools with the token.
  const owner = new Provider(option('key'));
  const signed = await signedIn(owner);
  report.page = { client: owner.page_client, scope: owner.page_scope };
  report.callback_has_iss = owner.result?.iss === `${url.protocol}//${url.host}`;
  report.token_scope = owner.saved.tokens?.scope;
  report.token_prefix = owner.saved.tokens?.access_token?.slice(0, 7);
  report.client_id_prefix = owner.saved.client?.client_id?.slice(0, 4);
  report.tools = (await signed.client.listTools()).tools.length;
  const created = await signed.client.callTool({ name: 'create_contact', arguments: { phone: '+12025550142', first_name: 'Oauth' } });
  report.create_error = errorOf(created);
  const listed = await signed.client.callTool({ name: 'list_contacts', arguments: {} });
  report.own_contacts = listed.structuredContent?.data?.map((c) => c.phone);
  // The token is for /mcp only.
  const rest = await fetch(new URL('/api/v1/contacts', url), {
    headers: { Authorization: `Bearer ${owner.saved.tokens.access_token}` },
  });
  report.rest_status = rest.status;

  // Another organization's token sees none of it.
  const other = new Provider(option('other-key'));
  const theirs = await signedIn(other);
  const their = await theirs.client.callTool({ name: 'list_contacts', arguments: {} });
  report.other_contacts = their.structuredContent?.data?.map((c) => c.phone);
  await theirs.client.close();

  // A denied consent comes back as access_denied, and the SDK has no token.
  const refuser = new Provider(option('key'), 'deny');
  const denied = await connect(refuser);
  report.denied = denied.callback?.error;
  report.denied_tokens = refuser.saved.tokens ?? null;

  // A wrong PKCE verifier, then the right one: the code was used up by the first try.
  const wrongVerifier = new Provider(option('key'));
  wrongVerifier.saved.client = owner.saved.client;
  const start = new URL(owner.authorizationUrl);
  start.searchParams.set('state', 'manual');
  await wrongVerifier.redirectToAuthorization(start);
  const code = wrongVerifier.result.code;
  const exchange = (verifier) =>
    token({ grant_type: 'authorization_code', code, redirect_uri: redirectUrl, client_id: owner.saved.client.client_id, code_verifier: verifier });
  report.wrong_verifier = (await exchange('x'.repeat(43))).body.error;
  report.after_wrong_verifier = (await exchange(owner.saved.verifier)).body.error;

  // A code used twice: refused, and what the first use gave stops working.
  const reuse = new Provider(option('key'));
  const reused = await signedIn(reuse);
  report.reused_code = (
    await token({
      grant_type: 'authorization_code',
      code: reuse.result.code,
      redirect_uri: redirectUrl,
      client_id: reuse.saved.client.client_id,
      code_verifier: reuse.saved.verifier,
    })
  ).body.error;
  try {
    await reused.client.listTools();
    report.after_reuse = 'answered';
  } catch (e) {
    report.after_reuse = e instanceof UnauthorizedError ? 'unauthorized' : String(e.message ?? e);
  }

  // The refresh token rotates.
  const refreshed = await token({
    grant_type: 'refresh_token',
    refresh_token: owner.saved.tokens.refresh_token,
    client_id: owner.saved.client.client_id,
  });
  report.refreshed = refreshed.status;
  report.refresh_again = (
    await token({ grant_type: 'refresh_token', refresh_token: owner.saved.tokens.refresh_token, client_id: owner.saved.client.client_id })
  ).body.error;
  await signed.client.close();

  // A sign-in with a one-time link instead of a key; the link then works no more.
  const linked = new Provider(null, 'allow', option('link'));
  const viaLink = await signedIn(linked);
  report.link = { signed_in_as: linked.signed_in_as, key_field_shown: linked.key_field_shown };
  report.link.tools = (await viaLink.client.listTools()).tools.length;
  await viaLink.client.close();
  const again = await browser.newPage();
  await again.goto(option('link'));
  await again.click('#continue');
  report.link.again = await again.textContent('#error');
  await again.close();
}

main()
  .then(() => ({ code: 0 }))
  .catch((e) => {
    report.failure = String(e.stack ?? e);
    return { code: 1 };
  })
  .then(async ({ code }) => {
    await browser.close();
    receiver.close();
    process.stdout.write(`${JSON.stringify(report)}\n`);
    process.exit(code);
  });
