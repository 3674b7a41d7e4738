#!/usr/bin/env node
// Verify an agentcfg release file without Python: the same check agentcfg.load() makes.
//
//   node verify.mjs RELEASE_FILE          exit 0 and the root digest on stdout, or exit 1 and why on stderr
//   node verify.mjs FILE FILE ...         one line per file: "<digest>  <file>" on stdout for those that
//                                         verify, "<file>: <reason>" on stderr for those that do not;
//                                         exit 1 when any fails (one process for many files)
//
// 1. The file must be JSON that matches release.schema.json (agentcfg's schemas/release.schema.json).
// 2. Its root digest is recomputed: "sha256:" + hex SHA-256 of the RFC 8785 (JCS) UTF-8 bytes of its
//    `config`, and must equal the `digest` the file states. Any other JCS implementation gives the
//    same bytes; this one uses the `canonicalize` package.
// Exit 2 for a usage error (no file given).
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import canonicalize from 'canonicalize';

const here = dirname(fileURLToPath(import.meta.url));
const schema = JSON.parse(readFileSync(join(here, 'release.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: false, strict: true }).compile(schema);

/** The release's root digest, or throws an Error whose message says why it does not verify. */
export function verifyRelease (text) {
  let release;
  try {
    release = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${err.message}`);
  }
  if (release && typeof release === 'object' && release.format_version === 1) {
    throw new Error('release format 1 (digest over Python\'s JSON, written by an older agentcfg): ' +
      're-promote the environment with a current agentcfg');
  }
  if (!validate(release)) {
    const e = validate.errors[0];
    throw new Error(`does not match the release schema: ${e.instancePath || '/'} ${e.message}`);
  }
  let canonical;
  try {
    canonical = canonicalize(release.config);
  } catch (err) {
    throw new Error(`config cannot be canonicalised: ${err.message}`);
  }
  const digest = 'sha256:' + createHash('sha256').update(canonical, 'utf8').digest('hex');
  if (digest !== release.digest) {
    throw new Error(`digest mismatch: the file says ${release.digest}, its config hashes to ${digest}`);
  }
  return digest;
}

function main (files) {
  if (files.length === 0) {
    process.stderr.write('usage: node verify.mjs RELEASE_FILE [RELEASE_FILE ...]\n');
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    try {
      const digest = verifyRelease(readFileSync(file, 'utf8'));
      process.stdout.write(files.length === 1 ? `${digest}\n` : `${digest}  ${file}\n`);
    } catch (err) {
      failed += 1;
      process.stderr.write(`${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}\n`);
    }
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
