#!/usr/bin/env node
// Judges Passkey Desk's traffic with zitadel-sim by ZITADEL's own published API: the protos
// of npm @zitadel/proto (compiled for @bufbuild/protobuf), with their google.api.http rules.
// Nobody on this project wrote them.
//
//   node judge.mjs <routes.json> <recording.jsonl>
//
// routes.json: the (method, path) pairs zitadel-sim serves. recording.jsonl: one exchange a
// line, as the recording proxy saw it: {method, path, query, requestBody, status,
// responseBody}. Bodies are the bytes on the wire (UTF-8).
//
// The verdicts:
//   - a route the simulator serves under a ZITADEL API path is one of ZITADEL's HTTP rules;
//   - a request the client sent to a ZITADEL API path matches a rule, and its path
//     parameters, query and body parse strictly as that method's request message (no unknown
//     field, right types), with no body where the rule maps none;
//   - a 2xx answer parses strictly as the method's response message;
//   - an error answer is ZITADEL's error body {code, message, details[zitadel.v1.ErrorDetail]}
//     with the HTTP status grpc-gateway gives that gRPC code.
// Prints the counts and every violation; exits 1 on any violation.

import { readFileSync } from "node:fs";
import { createRegistry, fromJson, getOption, hasOption, ScalarType } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { http } from "@zitadel/proto/google/api/annotations_pb.js";
import { AdminService } from "@zitadel/proto/zitadel/admin_pb.js";
import { AuthService } from "@zitadel/proto/zitadel/auth_pb.js";
import { FeatureService } from "@zitadel/proto/zitadel/feature/v2/feature_service_pb.js";
import { ManagementService } from "@zitadel/proto/zitadel/management_pb.js";
import { ErrorDetailSchema } from "@zitadel/proto/zitadel/message_pb.js";
import { OrganizationService } from "@zitadel/proto/zitadel/org/v2/org_service_pb.js";
import { UserService } from "@zitadel/proto/zitadel/user/v2/user_service_pb.js";

/** The services and the prefix ZITADEL serves their REST gateway under. */
const SERVICES = [
  [ManagementService, "/management/v1"],
  [AuthService, "/auth/v1"],
  [AdminService, "/admin/v1"],
  [UserService, ""],
  [OrganizationService, ""],
  [FeatureService, ""],
];

/** Paths that are ZITADEL's API (the rest — OIDC, login pages, the sim's control — are not judged here). */
export function isApiPath(path) {
  return /^\/(management|auth|admin|system)\/v1\/|^\/v2(beta)?\//.test(path);
}

/** grpc-gateway v2's HTTP status for a gRPC code (runtime/errors.go HTTPStatusFromCode). */
const HTTP_STATUS = {
  0: 200, 1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429,
  9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401,
};

/** Every HTTP rule of the services: {method, template, segments, body, service, name, input, output}. */
export function rules() {
  const all = [];
  for (const [service, prefix] of SERVICES) {
    for (const method of service.methods) {
      if (!hasOption(method, http)) continue;
      const rule = getOption(method, http);
      const bindings = [rule, ...(rule.additionalBindings ?? [])];
      for (const binding of bindings) {
        if (binding.pattern.case === undefined || binding.pattern.case === "custom") continue;
        const template = prefix + binding.pattern.value;
        all.push({
          verb: binding.pattern.case.toUpperCase(),
          template,
          segments: template.split("/").filter(Boolean),
          body: binding.body,
          name: `${service.typeName}.${method.name}`,
          input: method.input,
          output: method.output,
        });
      }
    }
  }
  return all;
}

/** Matches `path` against a rule's template; the path variables (by field path) or null. */
function match(rule, path) {
  const parts = path.split("/").filter(Boolean);
  if (parts.length !== rule.segments.length) return null;
  const vars = {};
  for (let i = 0; i < parts.length; i++) {
    const seg = rule.segments[i];
    const variable = /^\{([^}=]+)(=[^}]*)?\}$/.exec(seg);
    if (variable) vars[variable[1]] = decodeURIComponent(parts[i]);
    else if (seg !== parts[i]) return null;
  }
  return vars;
}

/** The rule for `verb path`, the most literal one first (`/users/_search` before `/users/{id}`). */
export function ruleFor(all, verb, path) {
  const candidates = all
    .filter((r) => r.verb === verb)
    .map((r) => ({ rule: r, vars: match(r, path) }))
    .filter((c) => c.vars !== null)
    .sort((a, b) => Object.keys(a.vars).length - Object.keys(b.vars).length);
  return candidates[0] ?? null;
}

/** strconv.ParseBool, which grpc-gateway's runtime.Bool uses for path and query values. */
const BOOLS = {
  1: true, t: true, T: true, TRUE: true, true: true, True: true,
  0: false, f: false, F: false, FALSE: false, false: false, False: false,
};

/**
 * The field at the dotted `path` of message `desc`, by proto or JSON name; throws if none
 * (grpc-gateway ignores an unknown query parameter — the judge does not: a name ZITADEL would
 * drop is a client bug).
 */
function fieldAt(desc, path) {
  let at = desc;
  const keys = path.split(".");
  for (let i = 0; i < keys.length; i++) {
    const field = at.fields.find((f) => f.name === keys[i] || f.jsonName === keys[i]);
    if (!field) throw new Error(`no field "${keys.slice(0, i + 1).join(".")}" in ${desc.typeName}`);
    if (i === keys.length - 1) return field;
    if (field.fieldKind !== "message") throw new Error(`"${keys.slice(0, i + 1).join(".")}" of ${desc.typeName} is not a message`);
    at = field.message;
  }
}

/**
 * A path or query value, a string on the wire, as the JSON value of its field: grpc-gateway
 * parses it by the field's type (runtime.PopulateFieldFromPath / PopulateQueryParameters).
 * Numbers, enums and well-known strings stay strings (proto JSON accepts them so); booleans
 * become booleans, or a violation if strconv.ParseBool refuses them.
 */
function typed(field, value) {
  const scalar = field.fieldKind === "scalar" || (field.fieldKind === "list" && field.listKind === "scalar") ? field.scalar : undefined;
  if (scalar === ScalarType.BOOL) {
    if (!(value in BOOLS)) throw new Error(`"${value}" for ${field.name} is not a boolean`);
    return BOOLS[value];
  }
  return value;
}

/** Sets `value` at the dotted field path `path` of `target` (grpc-gateway's path and query mapping). */
function setPath(target, path, value) {
  const keys = path.split(".");
  let at = target;
  for (const key of keys.slice(0, -1)) {
    at[key] ??= {};
    at = at[key];
  }
  const last = keys[keys.length - 1];
  if (last in at) at[last] = [].concat(at[last], value);
  else at[last] = value;
}

/** The request message's JSON as the gateway builds it: body, then path variables and query. */
function requestJson(rule, vars, query, bodyText) {
  let message = {};
  const violations = [];
  const body = bodyText.trim();
  if (rule.body === "*") {
    if (body !== "") message = JSON.parse(body);
  } else if (rule.body) {
    if (body !== "") message[rule.body] = JSON.parse(body);
  } else if (body !== "" && body !== "{}") {
    // The gateway maps no body for this method: whatever was sent is dropped.
    violations.push(`a body where ${rule.name} maps none (it would be ignored): ${body.slice(0, 200)}`);
  }
  const params = [...Object.entries(vars), ...new URLSearchParams(query)];
  for (const [key, value] of params) setPath(message, key, typed(fieldAt(rule.input, key), value));
  return { message, violations };
}

const errorRegistry = createRegistry(ErrorDetailSchema);

/** ZITADEL's error body: {code, message, details[ErrorDetail]} with grpc-gateway's status. */
function judgeError(status, text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return [`an error answer that is not JSON: ${text.slice(0, 120)}`];
  }
  const problems = [];
  const extra = Object.keys(body).filter((k) => !["code", "message", "details"].includes(k));
  if (extra.length) problems.push(`error body with fields ZITADEL does not send: ${extra.join(", ")}`);
  if (!Number.isInteger(body.code) || body.code < 1 || body.code > 16) problems.push(`error code ${JSON.stringify(body.code)} is not a gRPC code`);
  else if (HTTP_STATUS[body.code] !== status) problems.push(`HTTP ${status} for gRPC code ${body.code} (grpc-gateway: ${HTTP_STATUS[body.code]})`);
  if (typeof body.message !== "string") problems.push("error message is not a string");
  if (body.details !== undefined) {
    if (!Array.isArray(body.details)) problems.push("error details is not a list");
    else if (body.details.length === 0) problems.push("empty details (ZITADEL's marshaler omits them)");
    else {
      for (const detail of body.details) {
        try {
          fromJson(AnySchema, detail, { registry: errorRegistry });
          if (detail["@type"] !== "type.googleapis.com/zitadel.v1.ErrorDetail") problems.push(`detail of type ${detail["@type"]}`);
        } catch (e) {
          problems.push(`error detail does not parse as zitadel.v1.ErrorDetail: ${e.message}`);
        }
      }
    }
  }
  return problems;
}

/** The verdicts on one exchange: a list of violations (empty: conforms). */
export function judge(all, exchange, counts) {
  const { method, path, query = "", requestBody = "", status, responseBody = "" } = exchange;
  const found = ruleFor(all, method, path);
  if (!found) return [`${method} ${path} is none of ZITADEL's HTTP rules`];
  const { rule, vars } = found;
  const violations = [];
  counts.requests++;
  try {
    const built = requestJson(rule, vars, query, requestBody);
    violations.push(...built.violations);
    fromJson(rule.input, built.message);
  } catch (e) {
    violations.push(`request does not parse as ${rule.input.typeName}: ${e.message}`);
  }
  if (status === 0) return violations; // no answer (the client went away): nothing to judge
  counts.answers++;
  if (status >= 200 && status < 300) {
    try {
      fromJson(rule.output, JSON.parse(responseBody || "{}"));
    } catch (e) {
      violations.push(`answer does not parse as ${rule.output.typeName}: ${e.message}`);
    }
  } else {
    counts.errors++;
    violations.push(...judgeError(status, responseBody));
  }
  return violations.map((v) => `${rule.name} (${method} ${path}): ${v}`);
}

function main() {
  const [routesFile, recordingFile] = process.argv.slice(2);
  if (!routesFile || !recordingFile) {
    console.error("usage: node judge.mjs <routes.json> <recording.jsonl>");
    process.exit(2);
  }
  const all = rules();
  const counts = { rules: all.length, routes: 0, requests: 0, answers: 0, errors: 0, skipped: 0 };
  const violations = [];
  for (const [method, path] of JSON.parse(readFileSync(routesFile, "utf8"))) {
    if (!isApiPath(path)) continue;
    counts.routes++;
    // A route's variables match any one segment: judge it with a stand-in value.
    const concrete = path.replace(/\{[^}]+\}/g, "x");
    if (!ruleFor(all, method, concrete)) violations.push(`the simulator serves ${method} ${path}, which is none of ZITADEL's HTTP rules`);
  }
  const seen = new Map();
  for (const line of readFileSync(recordingFile, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const exchange = JSON.parse(line);
    if (!isApiPath(exchange.path)) {
      counts.skipped++;
      continue;
    }
    for (const v of judge(all, exchange, counts)) seen.set(v, (seen.get(v) ?? 0) + 1);
  }
  for (const [v, n] of seen) violations.push(n > 1 ? `${v} (${n} times)` : v);
  console.log(
    `conformance: ${counts.rules} HTTP rules from @zitadel/proto; judged ${counts.routes} simulator routes, ` +
      `${counts.requests} requests, ${counts.answers} answers (${counts.errors} errors); ` +
      `${counts.skipped} non-API exchanges not judged; ${violations.length} violations`,
  );
  for (const v of violations) console.log(`  violation: ${v}`);
  process.exit(violations.length === 0 ? 0 : 1);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
