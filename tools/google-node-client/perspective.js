// Perspective's Node sample (google.discoverAPI, then client.comments.analyze with the key and
// the request as "resource"), with only the host changed: run by
// tests/analyzer/test_google_clients.py against a server of ours.
//
//   node perspective.js <discovery URL> <API key> <method: analyze|suggestscore> <request as JSON>
//
// Prints one line of JSON: {"status": 200, "data": <the answer>}, or the error's status and body.
const {google} = require('googleapis');

const [discoveryUrl, apiKey, method, request] = process.argv.slice(2);

google.discoverAPI(discoveryUrl).then(client => {
  client.comments[method]({key: apiKey, resource: JSON.parse(request)}, (err, response) => {
    if (err && !err.response) {
      console.error(err);
      process.exit(1);
    }
    const answer = err ? err.response : response;
    console.log(JSON.stringify({status: answer.status, data: answer.data}));
  });
}).catch(err => {
  console.error(err);
  process.exit(1);
});
