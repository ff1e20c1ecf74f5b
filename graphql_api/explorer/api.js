// The client of the public GraphQL API: the page asks the server for nothing but POST /graphql.

export class ApiError extends Error {}

export async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new ApiError("The server cannot be reached. Is guideline-kg serve still running?");
  }
  let body = null;
  try {
    body = await response.json();
  } catch (err) {
    throw new ApiError(`The server answered ${response.status} without a readable body.`);
  }
  if (body.errors && body.errors.length) {
    throw new ApiError(body.errors.map((e) => e.message).join("; "));
  }
  if (!response.ok || !body.data) throw new ApiError(`The server answered ${response.status}.`);
  return body.data;
}
