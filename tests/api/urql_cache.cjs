// Runs real gateway answers through urql's Graphcache (a client with cacheExchange) and reads
// the merged result from the cache alone.
// stdin: {"writes": [{"query", "data"}...], "read": query, "keyless": [type names]};
// stdout: warnings, read. Keyless types are embedded in their parent, as the README says.
const { Client, makeResult } = require("@urql/core");
const { cacheExchange } = require("@urql/exchange-graphcache");
const { pipe, filter, map } = require("wonka");

const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const warnings = [];
for (const level of ["warn", "error"]) {
  console[level] = (...args) => warnings.push(args.map(String).join(" "));
}
// Stands in for the network: answers each operation with the gateway's answer it carries.
const gateway = () => (operations) =>
  pipe(
    operations,
    filter((operation) => operation.kind !== "teardown"),
    map((operation) => makeResult(operation, { data: operation.context.answer })),
  );
const keys = Object.fromEntries(input.keyless.map((name) => [name, () => null]));
const client = new Client({ url: "http://gateway.test/demo/graphql", exchanges: [cacheExchange({ keys }), gateway] });

(async () => {
  for (const { query, data } of input.writes) {
    await client.query(query, {}, { requestPolicy: "network-only", answer: data }).toPromise();
  }
  const read = await client.query(input.read, {}, { requestPolicy: "cache-only" }).toPromise();
  process.stdout.write(JSON.stringify({ warnings, read: read.data ?? null }));
})();
