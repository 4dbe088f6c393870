// Verifies QI Academy credentials with Digital Bazaar's libraries (what the Digital Credentials
// Consortium's wallet and verifier are built on): @digitalbazaar/vc's verifyCredential with the
// eddsa-rdfc-2022 cryptosuite, and jsonld's safe-mode expansion of every published document.
//
// Input (stdin, JSON): {"server": "http://127.0.0.1:PORT", "contexts": {url: file},
//   "credentials": {name: credential}, "documents": {name: url path}}.
// Output (stdout, JSON): {"credentials": {name: {verified, errors}}, "documents": {name: {ok, error}}}.
//
// Document loader: contexts only from the files the app bundles (never the network); did:web
// resolved per the did:web spec, except that it is fetched over http from the test server,
// which has no TLS certificate; the verification method is taken from that DID document.
import {readFileSync} from 'node:fs';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';
import jsonld from 'jsonld';

const input = JSON.parse(readFileSync(0, 'utf8'));
const contexts = Object.fromEntries(
  Object.entries(input.contexts).map(([url, file]) => [url, JSON.parse(readFileSync(file, 'utf8'))]));
const MULTIKEY = 'https://w3id.org/security/multikey/v1';

function didWebUrl(did) {
  // did:web:host%3Aport:path -> http://host:port/path/did.json (or /.well-known/did.json)
  const [host, ...path] = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  const server = new URL(input.server);
  if (host !== server.host) throw new Error(`${did} is not the test server's DID`);
  return path.length ? `${server.origin}/${path.join('/')}/did.json` : `${server.origin}/.well-known/did.json`;
}

async function documentLoader(url) {
  if (contexts[url]) return {contextUrl: null, documentUrl: url, document: contexts[url]};
  if (url.startsWith('did:web:')) {
    const [did, fragment] = url.split('#');
    const response = await fetch(didWebUrl(did));
    if (!response.ok) throw new Error(`${did}: HTTP ${response.status}`);
    const didDocument = await response.json();
    if (!fragment) return {contextUrl: null, documentUrl: url, document: didDocument};
    const method = didDocument.verificationMethod.find(m => m.id === url);
    if (!method) throw new Error(`${url} is not in the DID document`);
    return {contextUrl: null, documentUrl: url, document: {'@context': MULTIKEY, ...method}};
  }
  if (new URL(url).origin === new URL(input.server).origin) {  // the status list credential
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return {contextUrl: null, documentUrl: url, document: await response.json()};
  }
  throw new Error(`refusing to load ${url}: not a bundled context, our did:web or our server`);
}

// Bitstring Status List entries are checked by @digitalbazaar/vc-bitstring-status-list, which
// also verifies the status list credential's own proof and that its issuer is the credential's.
// It reports a set bit as status: true; a set revocation bit makes the credential not verified.
// Credentials issued before the Bitstring list name the 1EdTech Revocation List, which no
// Digital Bazaar library reads: this script reads that one itself (ours, not the library's).
async function checkStatus(options) {
  const {credential} = options;
  if (credential.credentialStatus.type === 'BitstringStatusListEntry') {
    const result = await checkBitstringStatus(options);
    if (!result.verified) return result;
    const revoked = result.results.some(r => r.status === true);
    return {verified: !revoked, results: result.results, library: true};
  }
  const status = credential.credentialStatus;
  const response = await fetch(status.id.replace(/^https?:\/\/[^/]+/, input.server));
  const list = await response.json();
  const revoked = list.revokedCredentials.some(e => e.id === credential.id && e.revoked !== false);
  return revoked ? {verified: false, error: new Error('revoked')} : {verified: true};
}

const out = {credentials: {}, documents: {}};
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
for (const [name, credential] of Object.entries(input.credentials)) {
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  const errors = [];
  if (result.error) errors.push(...(result.error.errors || [result.error]).map(e => e.message || String(e)));
  for (const r of result.results || []) if (!r.verified && r.error) errors.push(r.error.message);
  if (result.statusResult && result.statusResult.error) errors.push(result.statusResult.error.message);
  out.credentials[name] = {
    verified: result.verified,
    proof: (result.results || []).every(r => r.verified) && (result.results || []).length > 0,
    status: result.statusResult ? result.statusResult.verified : null,
    statusByLibrary: Boolean(result.statusResult && result.statusResult.library),
    errors,
  };
}
for (const [name, path] of Object.entries(input.documents)) {
  try {
    const document = await (await fetch(`${input.server}${path}`)).json();
    const expanded = await jsonld.expand(document, {documentLoader, safe: true});
    out.documents[name] = {ok: expanded.length > 0, error: null};
  } catch (error) {
    out.documents[name] = {ok: false, error: error.message || String(error)};
  }
}
process.stdout.write(JSON.stringify(out));
