/**
 * How model artefacts are kept in the database: gzip-compressed ONNX bytes. A reward head is a dense
 * [2^hashBits + dense, K] float matrix that is mostly zeros (only features seen in training carry
 * weight), so the demo's 5.2 MB model stores in about 0.2 MB. That matters on the embedded store,
 * where PGlite writes and reads large values on the server's own thread (about 0.2 s per MB).
 * Compression runs on libuv's thread pool, off the event loop.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** The bytes to store for an artefact (encodeArtefact's output). */
export async function packArtefact(onnx: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await gzipAsync(onnx, { level: 6 }));
}

/**
 * The ONNX bytes of a stored artefact. Accepts uncompressed bytes too (an ONNX model never starts
 * with gzip's magic number), so artefacts written by other tools still load.
 */
export async function unpackArtefact(stored: Uint8Array): Promise<Uint8Array> {
  const gzipped = stored.length > 2 && stored[0] === 0x1f && stored[1] === 0x8b;
  return gzipped ? new Uint8Array(await gunzipAsync(stored)) : stored;
}
