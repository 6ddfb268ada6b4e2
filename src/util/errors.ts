/** An error the user can fix (bad flag, bad config, unreadable result file): printed without a stack, exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export class ConfigError extends UsageError {
  override name = 'ConfigError';
}

/** Error text without absolute paths of this machine. */
export function safeMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/(?:[A-Za-z]:)?[\\/](?:[^\s'"`:]+[\\/])+[^\s'"`:]*/g, '<path>').slice(0, 300);
}
