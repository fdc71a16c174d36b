/** The secrets the service reads, as a port: AWS Secrets Manager in production (secretsManager.ts), a map in unit tests. */
export interface Secrets {
  /** The DocSpace API key; `refresh` reads it again after DocSpace refused the cached one (key rotation). */
  docspaceApiKey(refresh?: boolean): Promise<string>;
  /** A door's signing material, by its key in the webhook secret (`standardWebhooks`, `okta`, …). */
  signingSecret(key: string): Promise<string>;
  /**
   * The bearer tokens a door accepts, by its key in the webhook secret: one string or a list (rotation: add the new
   * token, switch the client, remove the old one). `refresh` reads the secret again instead of the cached copy.
   */
  bearerTokens(key: string, refresh?: boolean): Promise<string[]>;
  /**
   * The keys the webhook secret holds (`standardWebhooks` alone when it is a bare string): which doors it has material
   * for. Each key's value is then read, and checked, by `signingSecret` or `bearerTokens` (npm run preflight).
   */
  webhookKeys(): Promise<string[]>;
  /** A sender's entry in the sender API secret, unchecked (its adapter knows the shape), or undefined. */
  senderCredentials(sender: string): Promise<unknown>;
}
