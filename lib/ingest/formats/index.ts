import { CRI_WRAPPER, DOCKER_JSON_WRAPPER } from './container';
import { JSON_FORMAT } from './json';
import { LOGFMT_FORMAT } from './logfmt';
import type { LineFormat, LineWrapper } from './types';

/**
 * Every preset format, in the order `auto` tries them: the specific shapes
 * first, the generic "timestamp then level word" last, so a line is claimed
 * by the parser that knows it best.
 */
export const ALL_FORMATS: readonly LineFormat[] = [JSON_FORMAT, LOGFMT_FORMAT];

/** Container runtimes' record formats, unwrapped before the line is parsed. */
export const WRAPPERS: readonly LineWrapper[] = [DOCKER_JSON_WRAPPER, CRI_WRAPPER];
