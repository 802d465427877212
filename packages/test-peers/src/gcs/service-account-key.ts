import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { KnownAccount } from "./oauth-stand-in.ts";

/** A service-account key file as Google hands one out. */
export interface ServiceAccountKeyFile {
  readonly type: string;
  readonly project_id: string;
  readonly private_key_id: string;
  readonly private_key: string;
  readonly client_email: string;
  readonly client_id: string;
  readonly token_uri: string;
}

/** A generated service-account key file (as Google hands one out) and its public half. */
export function makeServiceAccountKey(
  tokenUri: string,
  email = "reader@switchyard-test.iam.gserviceaccount.com",
): { key: ServiceAccountKeyFile; account: KnownAccount } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key: ServiceAccountKeyFile = {
    type: "service_account",
    project_id: "switchyard-test",
    private_key_id: randomBytes(20).toString("hex"),
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    client_email: email,
    client_id: "1234567890",
    token_uri: tokenUri,
  };
  const account: KnownAccount = {
    clientEmail: email,
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
  return { key, account };
}
