/** Reads a required environment variable or stops the app with a message saying what to set. */
export function requiredEnv(name: string, meaning: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`set ${name} to ${meaning}`);
  }
  return value;
}
