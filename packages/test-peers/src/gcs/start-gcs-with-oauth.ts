import { type GcsStandIn, startGcsStandIn } from "./gcs-stand-in.ts";
import { type OAuthStandIn, startOAuthStandIn } from "./oauth-stand-in.ts";
import { makeServiceAccountKey, type ServiceAccountKeyFile } from "./service-account-key.ts";

/** Options of {@link startGcsWithOAuth}. */
export interface GcsWithOAuthOptions {
  readonly buckets: readonly string[];
  /** The service account's email. @default "reader@switchyard-test.iam.gserviceaccount.com" */
  readonly clientEmail?: string;
}

/** The GCS stand-in, the token endpoint it trusts, and a service account that endpoint knows. */
export interface GcsWithOAuth {
  /** The GCS endpoint, `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly gcs: GcsStandIn;
  readonly oauth: OAuthStandIn;
  /** A key file whose `token_uri` is the token endpoint: give it to `serviceAccount()`. */
  readonly serviceAccountKey: ServiceAccountKeyFile;
  /** Access tokens issued so far. */
  readonly tokensIssued: number;
  /** Stops both servers. */
  stop(): Promise<void>;
}

/**
 * Starts the token endpoint (which verifies the service account's RS256 JWT assertion) and the
 * GCS stand-in checking its bearer tokens, both on 127.0.0.1: what a client configured with a
 * service-account key talks to.
 */
export async function startGcsWithOAuth(options: GcsWithOAuthOptions): Promise<GcsWithOAuth> {
  const made = makeServiceAccountKey("http://127.0.0.1:1/token", options.clientEmail);
  const oauth = await startOAuthStandIn({ accounts: [made.account] });
  let gcs: GcsStandIn;
  try {
    gcs = await startGcsStandIn({ buckets: options.buckets, checkToken: (token) => oauth.check(token) });
  } catch (error) {
    await oauth.stop();
    throw error;
  }
  return {
    url: gcs.url,
    gcs,
    oauth,
    serviceAccountKey: { ...made.key, token_uri: oauth.tokenUri },
    get tokensIssued() {
      return oauth.issued.size;
    },
    async stop() {
      await Promise.all([gcs.stop(), oauth.stop()]);
    },
  };
}
