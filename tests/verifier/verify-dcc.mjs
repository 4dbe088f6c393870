// Verifies QI Academy credentials with the Digital Credentials Consortium's own verify call,
// @digitalcredentials/verifier-core's verifyCredential (what the Learner Credential Wallet and
// VerifierPlus run): signature (eddsa-rdfc-2022), expiry, Bitstring Status List revocation and
// the OB 3.0 schema, each reported in its log.
//
// Input (stdin, JSON): {"server": "https://127.0.0.1:PORT", "offline": {url: file},
//   "credentials": {name: credential}, "presentations": {name: unsigned presentation}}.
// Output (stdout, JSON): {name: verifier-core's result, stack traces left out}; a presentation
// (what our wallet exchange answers) goes through verifyPresentation, as the wallet receives it.
//
// did:web: verifier-core's verifyCredential takes no document loader (it builds its own), and its
// did:web driver only resolves over https. So the test server is served over HTTPS with a
// throwaway certificate that this process trusts through NODE_EXTRA_CA_CERTS; the DID document,
// and the status list credential, are fetched from it by the library's own HTTP client.
// Nothing else may reach the network: the JSON-LD contexts the library does not bundle (the OB
// 3.0 extensions context) and the OB 3.0 JSON schema are answered from the copies this
// repository keeps ("offline"), and any other URL is refused, so the run never leaves this machine.
import {readFileSync} from 'node:fs';

const input = JSON.parse(readFileSync(0, 'utf8'));
const server = new URL(input.server).origin;
const offline = Object.fromEntries(
  Object.entries(input.offline).map(([url, file]) => [url, readFileSync(file, 'utf8')]));
const networkFetch = globalThis.fetch;

globalThis.fetch = async (resource, options) => {
  const url = resource instanceof Request ? resource.url : String(resource);
  if (offline[url] !== undefined) {
    return new Response(offline[url], {status: 200, headers: {'content-type': 'application/json'}});
  }
  if (new URL(url).origin === server) return networkFetch(resource, options);
  throw new TypeError(`refusing to fetch ${url}: not the test server and not kept offline`);
};

const {verifyCredential, verifyPresentation} = await import('@digitalcredentials/verifier-core');

function withoutStacks(value) {
  return JSON.parse(JSON.stringify(value, (key, v) => (key === 'stackTrace' || key === 'stack' ? undefined : v)));
}

const out = {};
for (const [name, credential] of Object.entries(input.credentials)) {
  const result = await verifyCredential({credential, knownDIDRegistries: []});
  delete result.credential;
  out[name] = withoutStacks(result);
}
for (const [name, presentation] of Object.entries(input.presentations || {})) {
  const result = await verifyPresentation({presentation, unsignedPresentation: true, knownDIDRegistries: []});
  for (const r of result.credentialResults || []) delete r.credential;
  out[name] = withoutStacks(result);
}
process.stdout.write(JSON.stringify(out));
