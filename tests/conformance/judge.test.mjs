// The judge judges: it accepts ZITADEL's own shapes and refuses what ZITADEL would not take or
// send. `node --test` (make test runs it).
import assert from "node:assert/strict";
import { test } from "node:test";
import { judge, ruleFor, rules } from "./judge.mjs";

const all = rules();
const verdict = (exchange) => judge(all, exchange, { requests: 0, answers: 0, errors: 0 });

test("the rules come from the protos, with the v1 prefixes", () => {
  assert.ok(all.length > 300, `${all.length} rules`);
  assert.equal(ruleFor(all, "POST", "/management/v1/users/123/passwordless/_link").rule.name, "zitadel.management.v1.ManagementService.AddPasswordlessRegistration");
  assert.equal(ruleFor(all, "POST", "/management/v1/users/_search").rule.name, "zitadel.management.v1.ManagementService.ListUsers");
  assert.equal(ruleFor(all, "GET", "/v2/users/123").rule.name, "zitadel.user.v2.UserService.GetUserByID");
  assert.equal(ruleFor(all, "GET", "/management/v1/users/123/nothing"), null);
});

test("a conforming exchange has no violation", () => {
  assert.deepEqual(
    verdict({
      method: "POST",
      path: "/management/v1/users/320000000000000004/passwordless/_link",
      requestBody: "{}",
      status: 200,
      responseBody: JSON.stringify({
        details: { sequence: "12", creationDate: "2026-12-04T10:00:00.123Z", resourceOwner: "300000000000000001" },
        link: "https://auth.example.com/ui/login/login/passwordless/init?userID=1&orgID=2&codeID=3&code=abc",
        expiration: "3600s",
      }),
    }),
    [],
  );
  assert.deepEqual(
    verdict({
      method: "POST",
      path: "/management/v1/users/_search",
      requestBody: JSON.stringify({ query: { offset: "0", limit: 20, asc: true }, queries: [{ typeQuery: { type: "TYPE_HUMAN" } }] }),
      status: 200,
      responseBody: JSON.stringify({ details: { totalResult: "0", viewTimestamp: "2026-12-04T10:00:00Z" } }),
    }),
    [],
  );
});

test("an unknown field, a wrong type or a body where none is mapped is a violation", () => {
  const list = (body) => verdict({ method: "POST", path: "/management/v1/users/_search", requestBody: JSON.stringify(body), status: 0 });
  assert.equal(list({ queries: [{ nameQuery: { name: "x" } }] }).length, 1, "no nameQuery in v1 user queries");
  assert.equal(list({ query: { limit: "twenty" } }).length, 1);
  const link = verdict({ method: "POST", path: "/management/v1/users/1/passwordless/_link", requestBody: '{"sendEmail":true}', status: 0 });
  assert.equal(link.length, 1);
  assert.match(link[0], /maps none/);
});

test("an answer with a field ZITADEL's message has not is a violation (viewTimestamp in v2)", () => {
  const v = verdict({
    method: "POST",
    path: "/v2/users/1/passkeys/_search",
    requestBody: "{}",
    status: 200,
    responseBody: JSON.stringify({ details: { totalResult: "0", viewTimestamp: "2026-12-04T10:00:00Z" } }),
  });
  assert.equal(v.length, 1);
  assert.match(v[0], /viewTimestamp/);
});

test("errors: ZITADEL's body, details only as zitadel.v1.ErrorDetail, the gateway's status", () => {
  const error = (status, body) => verdict({ method: "GET", path: "/auth/v1/users/me", status, responseBody: JSON.stringify(body) });
  assert.deepEqual(
    error(404, { code: 5, message: "Errors.User.NotFound (QUERY-Dfbg2)", details: [{ "@type": "type.googleapis.com/zitadel.v1.ErrorDetail", id: "QUERY-Dfbg2", message: "Errors.User.NotFound" }] }),
    [],
  );
  assert.deepEqual(error(404, { code: 5, message: "Not Found" }), []);
  assert.equal(error(400, { code: 9, message: "x" }).length, 0, "9 → 400 in grpc-gateway v2");
  assert.equal(error(404, { code: 7, message: "x" }).length, 1, "7 is 403");
  assert.equal(error(404, { code: 5, message: "x", details: [] }).length, 1, "empty details are omitted");
  assert.equal(error(404, { code: 5, message: "x", error: "y" }).length, 1);
  assert.equal(error(404, { code: 5, message: "x", details: [{ "@type": "type.googleapis.com/zitadel.v1.ErrorDetail", id: "X", extra: 1 }] }).length, 1);
});

test("query values are typed by their field, as grpc-gateway parses them", () => {
  const features = (query) => verdict({ method: "GET", path: "/v2/features/instance", query, status: 0 });
  assert.deepEqual(features("inheritance=true"), []);
  assert.deepEqual(features("inheritance=false"), []);
  assert.equal(features("inheritance=yes").length, 1, "strconv.ParseBool refuses it");
  assert.equal(features("inheritence=true").length, 1, "a misspelt parameter ZITADEL would drop");
});
