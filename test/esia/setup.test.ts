import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createEsiaClient } from "../../src/esia/client.js";
import { createEsiaClientFromSettings } from "../../src/esia/from-config.js";
import { createPemSigner } from "../../src/esia/signer.js";
import {
  callbackUris,
  generateClientRegistration,
  startEsiaSimulator,
} from "../../src/esia-simulator/index.js";
import {
  Browser,
  fixturePath,
  passEsia,
  startTestSimulator,
  testCertificateHash,
} from "./helpers.js";

const folder = mkdtempSync(join(tmpdir(), "esia-setup-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("embedded simulator client", () => {
  it("registers both loopback names of the callback", () => {
    expect(callbackUris("http://localhost:3000/")).toEqual([
      "http://localhost:3000/auth/esia/callback",
      "http://127.0.0.1:3000/auth/esia/callback",
    ]);
    expect(callbackUris("https://gp.example.ru")).toEqual([
      "https://gp.example.ru/auth/esia/callback",
    ]);
  });

  it("signs in with a key generated at start", async () => {
    const redirectUri = "http://localhost:3000/auth/esia/callback";
    const registration = generateClientRegistration(
      "MNSV36",
      callbackUris("http://localhost:3000"),
    );
    const simulator = await startEsiaSimulator({
      port: 0,
      extraClients: [registration.client],
    });
    try {
      const client = createEsiaClient({
        baseUrl: simulator.url,
        clientId: "MNSV36",
        redirectUri,
        signer: createPemSigner(registration.privateKeyPem),
        certificateHash: registration.certificateHash,
        verificationKeys: [simulator.tokenVerificationKeyPem],
      });
      const url = await client.buildAuthorizationUrl({ state: randomUUID() });
      const back = await passEsia(new Browser(), url);
      expect(back.startsWith(redirectUri)).toBe(true);
      const tokens = await client.exchangeCode(
        new URL(back).searchParams.get("code")!,
      );
      expect(tokens.personOid).toBe("1000000002");
    } finally {
      await simulator.close();
    }
  });
});

describe("client from production settings", () => {
  it("reads the key and the verification certificates from files", async () => {
    const publicUrl = "http://127.0.0.1:9";
    const simulator = await startTestSimulator([
      `${publicUrl}/auth/esia/callback`,
    ]);
    try {
      const verifyFile = join(folder, "esia-token.pem");
      writeFileSync(verifyFile, simulator.tokenVerificationKeyPem);
      const client = createEsiaClientFromSettings(
        {
          baseUrl: simulator.url,
          clientId: "MNSV36",
          privateKeyFile: fixturePath("test-client-key.pem"),
          certificateHash: testCertificateHash,
          verifyCertificateFiles: [verifyFile],
        },
        publicUrl,
      );
      const url = await client.buildAuthorizationUrl({ state: randomUUID() });
      const back = await passEsia(new Browser(), url);
      const tokens = await client.exchangeCode(
        new URL(back).searchParams.get("code")!,
      );
      const profile = await client.fetchProfile(
        tokens.accessToken,
        tokens.personOid,
      );
      expect(profile.organizations[0]?.oid).toBe("1000000103");
    } finally {
      await simulator.close();
    }
  });

  it("signs with the command when one is set", async () => {
    const publicUrl = "http://127.0.0.1:9";
    const simulator = await startTestSimulator([
      `${publicUrl}/auth/esia/callback`,
    ]);
    try {
      const verifyFile = join(folder, "esia-token-2.pem");
      writeFileSync(verifyFile, simulator.tokenVerificationKeyPem);
      const client = createEsiaClientFromSettings(
        {
          baseUrl: simulator.url,
          clientId: "MNSV36",
          signerCommand: `${process.execPath} ${fixturePath("sign-with-test-key.mjs")}`,
          privateKeyFile: fixturePath("test-client-cert.pem"),
          certificateHash: testCertificateHash,
          verifyCertificateFiles: [verifyFile],
        },
        publicUrl,
      );
      const url = await client.buildAuthorizationUrl({ state: randomUUID() });
      const back = await passEsia(new Browser(), url);
      expect(new URL(back).searchParams.get("code")).toBeTruthy();
    } finally {
      await simulator.close();
    }
  });
});
