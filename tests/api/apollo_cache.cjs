// Writes real gateway answers into Apollo Client's InMemoryCache and reads them back merged.
// stdin: {"writes": [{"query", "data"}...], "read": query}; stdout: warnings, cache keys, read.
const { InMemoryCache, gql } = require("@apollo/client/core");

const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const warnings = [];
for (const level of ["warn", "error"]) {
  console[level] = (...args) => warnings.push(args.map(String).join(" "));
}
const cache = new InMemoryCache({ possibleTypes: { Item: ["Product", "Category"] } });
for (const { query, data } of input.writes) cache.writeQuery({ query: gql(query), data });
const read = cache.readQuery({ query: gql(input.read) });
process.stdout.write(JSON.stringify({ warnings, keys: Object.keys(cache.extract()), read }));
