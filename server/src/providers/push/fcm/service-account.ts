import { readFile } from 'node:fs/promises';
import { importPKCS8 } from 'jose';
import { isObject, parseJson } from '../../http.js';

/** The fields of a Google service-account key file that the FCM client uses. */
export interface ServiceAccount {
  type: 'service_account';
  project_id: string;
  /** Sent as the JWT `kid` so the token endpoint picks the right public key. */
  private_key_id?: string | undefined;
  /** PKCS#8 PEM. Never logged, never put in an error message. */
  private_key: string;
  client_email: string;
  /** Where the JWT assertion is exchanged for an access token (`https://oauth2.googleapis.com/token`). */
  token_uri: string;
}

/**
 * Reads and checks a service-account key file (FIREBASE_SERVICE_ACCOUNT_PATH). Errors name the
 * file and the bad field, never a field's value.
 */
export async function loadServiceAccount(path: string): Promise<ServiceAccount> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new Error(
      `cannot read the FCM service account file ${path} (${typeof code === 'string' ? code : 'read error'})`,
    );
  }
  const json = parseJson(text);
  // Not the parser's message: it quotes the text around the fault, which may be part of the key.
  if (json === undefined) throw new Error(`the FCM service account file ${path} is not valid JSON`);
  if (!isObject(json)) throw new Error(`the FCM service account file ${path} is not a JSON object`);
  const bad = (field: string, why: string) =>
    new Error(`the FCM service account file ${path} is unusable: "${field}" ${why}`);

  if (json.type !== 'service_account') throw bad('type', 'must be "service_account"');
  for (const field of ['project_id', 'private_key', 'client_email', 'token_uri'] as const) {
    const value = json[field];
    if (typeof value !== 'string' || value.trim() === '') throw bad(field, 'is missing or empty');
  }
  const privateKey = json.private_key as string;
  if (!/-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/.test(privateKey)) {
    throw bad('private_key', 'is not a PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----)');
  }
  try {
    await importPKCS8(privateKey, 'RS256');
  } catch {
    throw bad('private_key', 'is not a usable RSA key');
  }
  const tokenUri = json.token_uri as string;
  if (!isHttpUrl(tokenUri)) throw bad('token_uri', 'is not an http(s) URL');
  const keyId = json.private_key_id;
  if (keyId !== undefined && typeof keyId !== 'string') throw bad('private_key_id', 'is not a string');
  return {
    type: 'service_account',
    project_id: json.project_id as string,
    private_key_id: keyId,
    private_key: privateKey,
    client_email: json.client_email as string,
    token_uri: tokenUri,
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}
