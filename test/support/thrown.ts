/** What `action` throws, as the caller reads it (`name: message`), or `nothing thrown`. */
export function thrown(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return 'nothing thrown';
}
