import { spawn } from "node:child_process";
import { createPrivateKey, sign, type KeyObject } from "node:crypto";
import { EsiaError } from "./errors.js";

/** Produces the raw signature that goes into `client_secret` (before base64url). */
export interface EsiaSigner {
  sign(data: Buffer): Promise<Buffer>;
}

/**
 * Signs with a PEM private key: RSASSA-PKCS1-v1_5 with SHA-256 for RSA keys,
 * Ed25519 as is. This is what the simulator accepts in place of GOST.
 */
export function createPemSigner(privateKeyPem: string | KeyObject): EsiaSigner {
  const key =
    typeof privateKeyPem === "string"
      ? createPrivateKey(privateKeyPem)
      : privateKeyPem;
  const algorithm = key.asymmetricKeyType === "ed25519" ? null : "sha256";
  return {
    async sign(data) {
      return sign(algorithm, data, key);
    },
  };
}

export interface CommandSignerOptions {
  /** Executable to run, without a shell. */
  command: string;
  args?: string[];
  /** Default 10 000. */
  timeoutMs?: number;
  /**
   * Reverse the signature bytes. CryptoPro `csptest -sign` writes the GOST
   * signature in little-endian order and ESIA expects it reversed.
   */
  reverseBytes?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Largest signature accepted from the command; a GOST 2012-256 one is 64 bytes. */
const MAX_SIGNATURE_BYTES = 64 * 1024;

/**
 * Signs by running an external command, which is how production signs with
 * GOST R 34.10-2012 through CryptoPro or an OpenSSL GOST engine. The data to
 * sign goes to the command's stdin and the raw signature is read from its
 * stdout. A non-zero exit, a timeout or an empty output is an `EsiaError`
 * with code `signer_failed`.
 */
export function createCommandSigner(options: CommandSignerOptions): EsiaSigner {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    sign(data) {
      return new Promise<Buffer>((resolve, reject) => {
        const child = spawn(options.command, options.args ?? [], {
          env: options.env ?? process.env,
          stdio: ["pipe", "pipe", "pipe"],
          timeout: timeoutMs,
        });
        const stdout: Buffer[] = [];
        let stdoutBytes = 0;
        let stderr = "";
        const fail = (reason: string, cause?: unknown) =>
          reject(
            new EsiaError(
              "signer_failed",
              `signer command ${options.command} ${reason}`,
              { cause },
            ),
          );
        child.stdout.on("data", (chunk: Buffer) => {
          stdoutBytes += chunk.length;
          if (stdoutBytes <= MAX_SIGNATURE_BYTES) stdout.push(chunk);
        });
        child.stderr.on("data", (chunk: Buffer) => {
          if (stderr.length < 2000) stderr += chunk.toString("utf8");
        });
        child.on("error", (error) =>
          fail(`could not start: ${error.message}`, error),
        );
        child.on("close", (code, signal) => {
          if (signal)
            return fail(`was stopped by ${signal} (timeout ${timeoutMs} ms)`);
          if (code !== 0)
            return fail(`exited with ${code}: ${stderr.trim().slice(0, 500)}`);
          if (stdoutBytes === 0) return fail("wrote no signature");
          if (stdoutBytes > MAX_SIGNATURE_BYTES)
            return fail(`wrote more than ${MAX_SIGNATURE_BYTES} bytes`);
          const signature = Buffer.concat(stdout);
          resolve(
            options.reverseBytes ? Buffer.from(signature).reverse() : signature,
          );
        });
        child.stdin.on("error", () => {
          // A command that exits without reading stdin is reported by "close".
        });
        child.stdin.end(data);
      });
    },
  };
}
