import { LEVEL_WORDS } from './formats/severity';

/** Level words logmon understands in the brief format's `[LEVEL]`; anything else is not a level there. */
export const KNOWN_LEVELS: readonly string[] = LEVEL_WORDS;
