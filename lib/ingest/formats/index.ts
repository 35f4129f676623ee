import type { LineFormat, LineWrapper } from './types';

/**
 * Every preset format, in the order `auto` tries them: the specific shapes
 * first, the generic "timestamp then level word" last, so a line is claimed
 * by the parser that knows it best.
 */
export const ALL_FORMATS: readonly LineFormat[] = [];

/** Container runtimes' record formats, unwrapped before the line is parsed. */
export const WRAPPERS: readonly LineWrapper[] = [];
