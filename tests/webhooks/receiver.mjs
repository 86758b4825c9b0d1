// Webhook receiver for Parley's integration tests.
//
// Accepts deliveries on POST /hook/:name, checks each one in two independent ways (the
// verifier from Parley's own documentation and the `standardwebhooks` library), answers
// according to a per-hook behaviour, and keeps an in-memory log the tests read back over
// /_control/*. With --openapi, each delivery is also validated (Ajv, JSON Schema 2020-12)
// against that OpenAPI document's WebhookEvent schema, which names the schema of each event's
// data. Prints exactly one line, "listening on <port>", to stdout once it listens; diagnostics
// go to stderr so a test that stops draining stdout can never block it.
//
//   node receiver.mjs [--port N] [--secret whsec_...] [--openapi path/to/openapi.json]
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import { parseArgs } from "node:util";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import express from "express";
import { Webhook } from "standardwebhooks";

const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    secret: { type: "string", default: "" },
    openapi: { type: "string", default: "" },
  },
});
let SECRET = args.secret;  // replaced at run time by POST /_control/secret

// The documented verifier from seed 000's "Signature Verification" section, kept verbatim;
// only the header it is applied to is renamed (X-Parley-Signature).
function verifyWebhook(body, signature, secret) {
  const expected = crypto.createHmac("sha256", secret).update(body).digest("hex");
  return signature === expected;
}

// The WebhookEvent schema of the OpenAPI document, with its components for $ref; null without
// --openapi. strict: false because OpenAPI adds keywords of its own.
const validateEvent = (() => {
  if (!args.openapi) return null;
  const doc = JSON.parse(fs.readFileSync(args.openapi, "utf8"));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: "parley-openapi", components: { schemas: doc.components.schemas } });
  return ajv.getSchema("parley-openapi#/components/schemas/WebhookEvent");
})();

// Where `body` breaks the schema, as "<path> <message>" lines; [] when it conforms, null when
// there is no schema to check.
function schemaErrors(body) {
  if (!validateEvent) return null;
  if (validateEvent(body)) return [];
  return validateEvent.errors.map((e) => `${e.instancePath || "/"} ${e.message}`);
}

let log = [];                   // every /hook request, in arrival order
let behaviours = new Map();     // hook name -> { fail_first, fail_status, status, delay_ms, retry_after, seen }

const app = express();

// As in the documentation, express.json() parses the body; `verify` also keeps the raw text
// for the Standard Webhooks check. A body that does not parse is still logged (and answered)
// rather than rejected with 400, so the tests can count every delivery.
const parseJson = express.json({
  limit: "10mb",
  verify: (req, _res, buf) => { req.rawBody = buf.toString("utf8"); },
});
app.use((req, res, next) => parseJson(req, res, (err) => {
  if (err) [req.parseError, req.body] = [err.message, undefined];
  next();
}));

app.post("/hook/:name", (req, res) => {
  const name = req.params.name;
  const body = req.body && typeof req.body === "object" ? req.body : null;

  // a. The documentation's check, on the re-serialised parsed body.
  let verifiedSeed = false;
  try {
    verifiedSeed = verifyWebhook(JSON.stringify(req.body), req.headers["x-parley-signature"], SECRET);
  } catch (err) {  // no parsed body: update(undefined) throws
    console.error(`hook ${name}: documented verifier failed: ${err.message}`);
  }

  // b. Standard Webhooks, on the raw body bytes. Throws on a bad signature, missing
  //    headers, a timestamp outside its 5-minute tolerance or a malformed secret.
  let verifiedStandard = false;
  try {
    new Webhook(SECRET).verify(req.rawBody ?? "", req.headers);
    verifiedStandard = true;
  } catch (err) {
    console.error(`hook ${name}: standardwebhooks: ${err.message}`);
  }

  // Decide the answer: the first `fail_first` requests fail, later ones get `status`
  // after `delay_ms`. Unconfigured names answer 200 at once.
  const b = behaviours.get(name);
  let status = 200, delayMs = 0, retryAfter = null;
  if (b && ++b.seen <= b.fail_first) [status, retryAfter] = [b.fail_status, b.retry_after];
  else if (b) [status, delayMs] = [b.status, b.delay_ms];

  const entry = {
    name,
    webhook_id: req.headers["webhook-id"] ?? null,
    webhook_timestamp: req.headers["webhook-timestamp"] ?? null,
    x_parley_signature: req.headers["x-parley-signature"] ?? null,
    content_type: req.headers["content-type"] ?? null,
    event: body?.event ?? null,
    id: body?.id ?? null,
    body,
    parse_error: req.parseError ?? null,
    verified_seed: verifiedSeed,
    verified_standard: verifiedStandard,
    schema_errors: body ? schemaErrors(body) : null,
    status,
    received_at_ms: Date.now(),
    responded_at_ms: null,  // set once the answer is written (stays null while delayed)
  };
  log.push(entry);

  const respond = () => {
    if (retryAfter !== null) res.set("Retry-After", retryAfter);
    res.status(status).type("text/plain").send(status >= 200 && status < 300 ? "OK" : "fail");
    entry.responded_at_ms = Date.now();
  };
  if (delayMs > 0) setTimeout(respond, delayMs);
  else respond();
});

// --- Test control -------------------------------------------------------------------

app.post("/_control/secret", (req, res) => {
  const secret = req.body?.secret;
  if (typeof secret !== "string" || secret === "") return res.status(400).json({ error: "secret must be a non-empty string" });
  SECRET = secret;
  res.json({ ok: true });
});

app.post("/_control/behaviour", (req, res) => {
  const c = req.body ?? {};
  if (typeof c.name !== "string" || c.name === "") return res.status(400).json({ error: "name must be a non-empty string" });
  const behaviour = {
    fail_first: Number(c.fail_first ?? 0),
    fail_status: Number(c.fail_status ?? 500),
    status: Number(c.status ?? 200),
    delay_ms: Number(c.delay_ms ?? 0),
    retry_after: c.retry_after == null ? null : String(c.retry_after),
  };
  behaviours.set(c.name, { ...behaviour, seen: 0 });  // counting starts when configured
  res.json({ ok: true, name: c.name, behaviour });
});

// Validates the posted body as a webhook event: {"errors": [...]}, [] when it conforms.
app.post("/_control/validate", (req, res) => {
  if (!validateEvent) return res.status(400).json({ error: "the receiver was started without --openapi" });
  res.json({ errors: schemaErrors(req.body) });
});

app.get("/_control/log", (req, res) => {
  const name = req.query.name;
  res.json({ requests: name === undefined ? log : log.filter((e) => e.name === name) });
});

app.post("/_control/reset", (_req, res) => {
  log = [];
  behaviours = new Map();
  res.json({ ok: true });
});

// --- Server lifecycle -----------------------------------------------------------------

const server = http.createServer(app);
server.on("error", (err) => { console.error(`receiver: ${err.message}`); process.exit(1); });
server.listen(Number(args.port), "127.0.0.1", () => {
  // stdout on a pipe is written synchronously on Linux, so the line is flushed here.
  process.stdout.write(`listening on ${server.address().port}\n`);
});

const shutdown = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();  // includes requests still waiting out a delay
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
