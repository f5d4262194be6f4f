import type { MessageKey } from './en.js';
import { en } from './en.js';

/** Spanish messages (placeholder: being translated). */
export const es: Record<MessageKey, string> = { ...en };
