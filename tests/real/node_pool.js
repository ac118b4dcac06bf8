// node_pool.js - work on libuv's thread pool: crypto.pbkdf2 and
// crypto.scrypt, zlib.gzip/gunzip, fs reads and writes, all
// asynchronous, with UV_THREADPOOL_SIZE left at its default (4).  Results are printed in a fixed order.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const { promisify } = require('util');

const pbkdf2 = promisify(crypto.pbkdf2);
const scrypt = promisify(crypto.scrypt);
const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

async function main() {
  const keys = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      pbkdf2('password' + i, 'salt', 20000, 32, 'sha256')));
  const h = crypto.createHash('sha256');
  for (const k of keys) h.update(k);
  console.log('pbkdf2:', h.digest('hex'));

  const s = await Promise.all([1, 2, 3].map(
    (i) => scrypt('pw' + i, 'salt', 32, { N: 1024 })));
  console.log('scrypt:', s.map((b) => b.toString('hex').slice(0, 16)).join(' '));

  const text = Buffer.from('line of text '.repeat(50000));
  const packed = await Promise.all([gzip(text), gzip(text), gzip(text)]);
  const back = await Promise.all(packed.map((p) => gunzip(p)));
  console.log('zlib:', back.every((b) => b.equals(text)), packed[0].length > 0);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node_pool.'));
  try {
    await Promise.all(Array.from({ length: 10 }, (_, i) =>
      fs.promises.writeFile(path.join(dir, 'f' + i), 'content ' + i)));
    const got = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      fs.promises.readFile(path.join(dir, 'f' + i), 'utf8')));
    console.log('fs:', got.join(','));
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
