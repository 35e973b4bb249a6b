/**
 * What the harm classifier reads of a stored conversation: every user turn, joined. Training and
 * scoring both go through here, so a model always sees prompts the way it was trained on them.
 */
import type { ChatMessage } from '../../db/schema';

export function promptForSafety(messages: readonly ChatMessage[]): string {
  return messages
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n');
}
