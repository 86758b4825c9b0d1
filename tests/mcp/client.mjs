// Runs the official MCP TypeScript SDK's client against a Parley server, as an AI assistant
// would: it connects over Streamable HTTP with an API key, lists the tools, compiles every tool's
// input schema (JSON Schema 2020-12) and checks each call's arguments against it, then carries
// out seed 000's example requests as tool calls. It prints one JSON report on standard output;
// the integration test (tests/integration/mcp_test.cpp) asserts on it.
//
// With --parley, it also starts `parley mcp --stdio` as local clients (Claude Desktop) do.
//
//   node tests/mcp/client.mjs --url http://127.0.0.1:8080/mcp --key pl_live_… --read-only-key pl_live_… \
//       [--parley build/parley]
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

function option(name) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) throw new Error(`--${name} is required`);
  return process.argv[i + 1];
}

const url = new URL(option('url'));
const report = { steps: {}, schema_problems: [], argument_problems: [] };

async function connect(key) {
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: { headers: { Authorization: `Bearer ${key}` } },
  });
  const client = new Client({ name: 'parley-integration-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
addFormats(ajv);
const validators = new Map();

// A tool call as an assistant makes it: its arguments are first checked against the tool's schema.
async function call(client, name, args = {}, options = undefined) {
  const validate = validators.get(name);
  if (!validate) {
    report.argument_problems.push({ tool: name, problem: 'not listed' });
  } else if (!validate(args)) {
    report.argument_problems.push({ tool: name, arguments: args, errors: validate.errors });
  }
  return client.callTool({ name, arguments: args }, undefined, options);
}

// A bulk create of `count` contacts from `first` on, followed with a progress callback (the SDK
// then sends a progress token): the progress seen, [progress, total] each, and how many were created.
// `received`, when given, is every message the transport hands the client, in order: what the
// server (or the stdio relay) sent, whether or not the SDK then passes it on.
async function bulkWithProgress(client, first, count, received) {
  const seen = [];
  const contacts = Array.from({ length: count }, (_, i) => ({ phone: `+1202555${first + i}` }));
  const from = received?.length ?? 0;
  const result = await call(client, 'bulk_create_contacts', { contacts }, { onprogress: (p) => seen.push([p.progress, p.total]) });
  const out = { progress: seen, created: result.structuredContent?.data?.created ?? errorOf(result) };
  if (received) {
    const mine = received.slice(from);
    out.received = mine
      .filter((m) => m.method === 'notifications/progress')
      .map((m) => [m.params.progress, m.params.total]);
    const last = mine.filter((m) => m.method === 'notifications/progress' || m.result !== undefined).at(-1);
    out.result_last = last?.result !== undefined;
  }
  return out;
}

function errorOf(result) {
  return result.isError ? result.structuredContent?.error?.code ?? result.content?.[0]?.text : null;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const { client, transport } = await connect(option('key'));
  // The server's stream (GET /mcp, which the SDK opens after initializing) brings the
  // organization's events as log messages.
  const events = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => events.push(n.params));
  report.capabilities = client.getServerCapabilities();
  report.protocol_version = transport.protocolVersion;
  report.server = client.getServerVersion();
  report.session_id_prefix = transport.sessionId?.slice(0, 5);

  const { tools } = await client.listTools();
  report.tools = tools.map((t) => t.name);
  report.writing_tools = tools.filter((t) => t.annotations?.readOnlyHint === false).map((t) => t.name);
  for (const tool of tools) {
    try {
      validators.set(tool.name, ajv.compile(tool.inputSchema));
    } catch (e) {
      report.schema_problems.push({ tool: tool.name, problem: String(e.message ?? e) });
    }
  }
  // Compiling blocks the event loop for seconds on a loaded machine; the server meanwhile closes
  // the idle keep-alive connection (after 5 s). Yield once so the client sees that close before
  // its next request instead of writing it to the closed socket ("fetch failed").
  await sleep(20);

  // "Create a custom field called budget_range with options under 10k, 10-50k, and 50k+"
  const field = await call(client, 'create_custom_field', {
    name: 'budget_range',
    type: 'enum',
    options: ['under_10k', '10k_50k', '50k_plus'],
  });
  report.steps.custom_field = field.structuredContent?.data ?? errorOf(field);
  await call(client, 'create_custom_field', { name: 'timeline', type: 'string' });
  const duplicate = await call(client, 'create_custom_field', { name: 'budget_range', type: 'string' });
  report.steps.duplicate_field_error = errorOf(duplicate);

  const profile = await call(client, 'create_profile', {
    name: 'Sales Qualifier',
    opener: 'I am calling about our scheduling software. Do you have a minute?',
    tools: ['check_availability', 'request_meeting'],
  });
  if (profile.isError) throw new Error(`create_profile: ${errorOf(profile)}`);

  // "Add a budget_range extraction field to my Sales Qualifier profile"
  const found = await call(client, 'suggest_options', { kind: 'profiles', keyword: 'sales qualifier' });
  const profileId = found.structuredContent?.profiles?.items?.[0]?.id;
  report.steps.found_profile = profileId === profile.structuredContent.data.id;
  const current = await call(client, 'get_profile', { id: profileId });
  const fields = current.structuredContent.data.extract_fields ?? [];
  const updated = await call(client, 'update_profile', { id: profileId, extract_fields: [...fields, 'budget_range'] });
  report.steps.profile_extract_fields = updated.structuredContent?.data?.extract_fields ?? errorOf(updated);

  // "Call +14155551234 and ask for their budget and timeline", to the sandbox's qualified person.
  const help = await call(client, 'help', { query: 'call this number and ask for their budget and timeline' });
  report.steps.help_for_call = help.structuredContent?.matches?.map((m) => m.tool) ?? [];
  const triggered = await call(client, 'trigger_call', {
    profile_id: profileId,
    phone: '+1 202 555 0100',
    extract: ['budget_range', 'timeline'],
  });
  if (triggered.isError) throw new Error(`trigger_call: ${errorOf(triggered)}`);
  const callId = triggered.structuredContent.data.id;
  let finished = null;
  for (let i = 0; i < 240 && !finished; ++i) {
    const got = await call(client, 'get_call', { id: callId });
    const status = got.structuredContent?.data?.status;
    if (status && !['queued', 'ringing', 'in_progress'].includes(status)) finished = got.structuredContent.data;
    else await sleep(500);
  }
  report.steps.call = finished && {
    id: finished.id,
    status: finished.status,
    to_number: finished.to_number,
    meeting_booked: finished.analysis?.meeting_booked,
    extracted: finished.analysis?.extracted_data,
  };
  const transcript = await call(client, 'get_transcript', { id: callId });
  report.steps.transcript_lines = transcript.structuredContent?.data?.transcript?.length ?? errorOf(transcript);

  // "Show me all calls from last week where a meeting was booked"
  const since = new Date(Date.now() - 7 * 24 * 3600 * 1000).toISOString();
  const booked = await call(client, 'list_calls', { since, has_meeting: true });
  report.steps.booked_calls = booked.structuredContent?.data?.map((c) => c.id) ?? errorOf(booked);

  // "Pause the outbound sales campaign"
  const campaign = await call(client, 'create_campaign', {
    name: 'Outbound sales',
    profile_id: profileId,
    contact_tags: ['spring_leads'],
    schedule: { start_date: '2099-03-25', calling_hours: { start: '09:00', end: '18:00' }, timezone: 'America/Chicago' },
  });
  if (campaign.isError) throw new Error(`create_campaign: ${errorOf(campaign)}`);
  await call(client, 'start_campaign', { id: campaign.structuredContent.data.id });
  const which = await call(client, 'help', { query: 'Pause the outbound sales campaign' });
  report.steps.help_for_pause = which.structuredContent?.matches?.[0]?.tool;
  const named = await call(client, 'suggest_options', { kind: 'campaigns', keyword: 'outbound sales' });
  const campaignId = named.structuredContent?.campaigns?.items?.[0]?.id;
  const paused = await call(client, 'pause_campaign', { id: campaignId });
  report.steps.paused_status = paused.structuredContent?.data?.status ?? errorOf(paused);
  report.steps.pause_again_error = errorOf(await call(client, 'pause_campaign', { id: campaignId }));

  report.steps.not_found_error = errorOf(await call(client, 'get_contact', { id: 'ct_01aaaaaaaaaaaaaaaaaaaaaaaa' }));
  // A saved report of last week's calls by campaign, run and exported.
  const saved = await call(client, 'create_report', {
    name: 'Meetings by campaign', date_range: 'last_7_days', group_by: ['campaign'], metrics: ['calls', 'meetings_booked'],
  });
  if (saved.isError) throw new Error(`create_report: ${errorOf(saved)}`);
  const run = await call(client, 'execute_report', { id: saved.structuredContent.data.id });
  const csv = await call(client, 'export_report', { id: saved.structuredContent.data.id, format: 'csv' });
  report.steps.saved_report = {
    meetings: run.structuredContent?.data?.totals?.meetings_booked ?? errorOf(run),
    csv_header: csv.content?.[0]?.text?.split('\r\n')[0],
  };
  try {
    await client.callTool({ name: 'no_such_tool', arguments: {} });
    report.steps.unknown_tool = 'answered';
  } catch (e) {
    report.steps.unknown_tool = e.code;
  }

  // A long tool reports its progress on the answer's event stream.
  report.steps.bulk = await bulkWithProgress(client, 2000, 350);

  // A contact made by the assistant comes back on the server's stream as an event.
  await call(client, 'create_contact', { phone: '+12025550177', first_name: 'Streamed' });
  const streamed = () => events.find((e) => e.data?.event === 'contact.created' && e.data?.data?.phone === '+12025550177');
  for (const deadline = Date.now() + 10000; !streamed() && Date.now() < deadline; ) await sleep(100);
  report.steps.streamed = { level: streamed()?.level, logger: streamed()?.logger, events: events.length };

  // The session ends: a request with its id is refused, and a new connection opens a new one.
  await transport.terminateSession();
  try {
    await client.listTools();
    report.steps.after_end = 'answered';
  } catch (e) {
    report.steps.after_end = String(e.message ?? e).includes('404') ? 404 : String(e.message ?? e);
  }
  await client.close();

  // A read-only key lists every tool and reads, but a tool that writes answers READ_ONLY.
  const readOnly = await connect(option('read-only-key'));
  report.read_only = {
    tools: (await readOnly.client.listTools()).tools.length,
    list_error: errorOf(await call(readOnly.client, 'list_contacts', {})),
    create_error: errorOf(await call(readOnly.client, 'create_contact', { phone: '+12025550111' })),
  };
  await readOnly.client.close();

  if (process.argv.includes('--parley')) await overStdio(option('parley'));
}

// `parley mcp --stdio`, started by the SDK's stdio transport with the key in its environment.
async function overStdio(parley) {
  const start = (key) =>
    new StdioClientTransport({
      command: parley,
      args: ['mcp', '--stdio', '--url', url.origin],
      env: { PATH: process.env.PATH ?? '', PARLEY_API_KEY: key },
      stderr: 'pipe',
    });
  const client = new Client({ name: 'parley-integration-test-stdio', version: '1.0.0' });
  const events = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => events.push(n.params));
  const transport = start(option('key'));
  await client.connect(transport);
  // What the relay writes, as the transport reads it off the process's stdout.
  const received = [];
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    received.push(message);
    deliver?.(message, extra);
  };
  const fields = await call(client, 'list_custom_fields', {});
  // The relay listens on the session's server stream and hands its events on.
  await call(client, 'create_contact', { phone: '+12025550178', first_name: 'Relayed' });
  const relayed = () => events.find((e) => e.data?.event === 'contact.created' && e.data?.data?.phone === '+12025550178');
  for (const deadline = Date.now() + 10000; !relayed() && Date.now() < deadline; ) await sleep(100);
  report.stdio = {
    server: client.getServerVersion()?.name,
    tools: (await client.listTools()).tools.length,
    custom_fields: fields.structuredContent?.data?.map((f) => f.name) ?? errorOf(fields),
    bulk: await bulkWithProgress(client, 3000, 150, received),
    relayed_event: relayed()?.data?.event ?? null,
  };
  await client.close();
  const refused = new Client({ name: 'parley-integration-test-stdio', version: '1.0.0' });
  try {
    await refused.connect(start('pl_live_wrongwrongwrongwrongwrongwrong12'));
    report.stdio.wrong_key = 'connected';
  } catch (e) {
    report.stdio.wrong_key = String(e.message ?? e);
  }
  await refused.close();
}

main()
  .then(() => {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    process.exit(0);
  })
  .catch((e) => {
    report.failure = String(e.stack ?? e);
    process.stdout.write(`${JSON.stringify(report)}\n`);
    process.exit(1);
  });
