/** An operator's task could not run as asked; the message says why and what to do instead. */
export class OpsError extends Error {}
