// Runs one query twice through Apollo Client's persisted-queries link and an HttpLink.
// stdin: {"url", "token", "query", "useGET"}; stdout: every request sent, and both results.
const crypto = require("crypto");
const { HttpLink, execute, gql } = require("@apollo/client/core");
const { createPersistedQueryLink } = require("@apollo/client/link/persisted-queries");

const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const sent = [];

async function recordingFetch(uri, options) {
  const response = await fetch(uri, options);
  const params = new URL(uri).searchParams;
  const body = options.body ? JSON.parse(options.body) : Object.fromEntries(params);
  sent.push({ method: options.method, status: response.status, body });
  return response;
}

const sha256 = (text) => crypto.createHash("sha256").update(text).digest("hex");
const link = createPersistedQueryLink({ sha256, useGETForHashedQueries: input.useGET }).concat(
  new HttpLink({
    uri: input.url,
    fetch: recordingFetch,
    headers: { authorization: `Bearer ${input.token}` },
  })
);

function run() {
  return new Promise((resolve, reject) => {
    execute(link, { query: gql(input.query) }).subscribe({ next: resolve, error: reject });
  });
}

(async () => {
  const results = [await run(), await run()];
  process.stdout.write(JSON.stringify({ sent, results }));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
