export type { BucketNameRules } from "./bucket-name.ts";
export { bucketNameProblem } from "./bucket-name.ts";
export type { S3CredentialProvider, S3CredentialsOption, S3Keys } from "./credentials.ts";
export type { S3ErrorDetails, S3RequestProblem } from "./errors.ts";
export {
  isS3CredentialsError,
  isS3Error,
  isS3RequestError,
  S3CredentialsError,
  S3Error,
  S3RequestError,
} from "./errors.ts";
export type { PresignOptions } from "./presign.ts";
export { MAX_PRESIGN_SECONDS, presignS3Url } from "./presign.ts";
export { s3 } from "./s3.ts";
export type { S3BucketOptions, S3Options } from "./s3-options.ts";
export { s3Url } from "./s3-url.ts";
