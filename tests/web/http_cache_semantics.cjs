// Asks http-cache-semantics (RFC 9111, as many HTTP caches implement it) about gateway answers.
// stdin: {"op": "store", "shared", "request", "response", "next"} gives whether the answer is
// storable, fresh for `next` without revalidation, and the headers revalidating it;
// {"op": "revalidate", "policy", "request", "response", "next"} gives what the revalidation
// said, and the same about the updated policy.
// Requests are {method, url, headers}, responses {status, headers}, header names lowercase.
const CachePolicy = require("http-cache-semantics");

const input = JSON.parse(require("fs").readFileSync(0, "utf8"));

function describe(policy, next) {
  return {
    storable: policy.storable(),
    fresh: policy.satisfiesWithoutRevalidation(next),
    revalidation: policy.revalidationHeaders(next),
    policy: policy.toObject(),
  };
}

let output;
if (input.op === "store") {
  const policy = new CachePolicy(input.request, input.response, { shared: input.shared });
  output = describe(policy, input.next);
} else {
  const stored = CachePolicy.fromObject(input.policy);
  const { policy, modified, matches } = stored.revalidatedPolicy(input.request, input.response);
  output = { modified, matches, ...describe(policy, input.next) };
}
process.stdout.write(JSON.stringify(output));
