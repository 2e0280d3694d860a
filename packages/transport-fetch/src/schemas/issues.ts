import * as v from "valibot";

/**
 * A readable reason from valibot issues: `oob_code is missing`, `expires_in is not number`.
 *
 * Valibot's own messages quote the received value; a server may put a token or a recovery code
 * in the wrong place, so the reason names only the path and the expected type.
 */
export function describeIssues(issues: readonly [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]]): string {
  const first = issues[0];
  const path = v.getDotPath(first) ?? "";
  const where = path === "" ? "the body" : path;
  let reason: string;
  if (first.kind === "validation") {
    // Our own validation messages (see the schema files) never quote the input.
    reason = `${where} ${first.message}`;
  } else if (first.input === undefined) {
    reason = `${where} is missing`;
  } else {
    reason = `${where} is not ${first.expected ?? first.type}`;
  }
  return issues.length > 1 ? `${reason} (and ${issues.length - 1} more)` : reason;
}
