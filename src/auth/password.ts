import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. (argon2id is the library's default algorithm.)
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A real hash to verify against when the username does not exist, so timing does not tell. */
let dummyHash: Promise<string> | undefined;
export function hashOfNobody(): Promise<string> {
  dummyHash ??= hashPassword('no user has this password');
  return dummyHash;
}
